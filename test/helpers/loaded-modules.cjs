// Preloaded (`node -r`) into a spawned b0s by test/start-up.test.ts. As the process exits,
// it writes what the process loaded beyond a bare Node start, as JSON, to the file named
// in B0S_TEST_LOADED: built-in modules, and the files loaded with require().
const before = new Set(process.moduleLoadList);
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  require('node:fs').writeFileSync(process.env.B0S_TEST_LOADED, JSON.stringify({ builtins, files: Object.keys(require.cache).filter((f) => f !== __filename) }));
});
