// Preloaded (`node -r`) into a spawned b0s by test/start-up.test.ts. As the process exits,
// it writes what the process loaded beyond a bare Node start, as JSON, to the file named
// in B0S_TEST_LOADED: built-in modules, those of them loaded after the first change to a
// V8 flag (Node's code cache for built-ins no longer fits then), and the files loaded
// with require().
const Module = require('node:module');

const before = new Set(process.moduleLoadList);
let loadedBeforeFlags;
const load = Module._load;
Module._load = function (request, ...rest) {
  const exports = load.call(this, request, ...rest);
  if ((request === 'node:v8' || request === 'v8') && !exports.setFlagsFromString.watched) {
    const set = exports.setFlagsFromString;
    exports.setFlagsFromString = Object.assign(function (flags) {
      loadedBeforeFlags ??= process.moduleLoadList.length;
      return set.call(this, flags);
    }, { watched: true });
  }
  return exports;
};

const builtinsIn = (list) => list.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));

process.on('exit', () => {
  require('node:fs').writeFileSync(
    process.env.B0S_TEST_LOADED,
    JSON.stringify({
      builtins: builtinsIn(process.moduleLoadList),
      builtinsAfterFlags: loadedBeforeFlags === undefined ? [] : builtinsIn(process.moduleLoadList.slice(loadedBeforeFlags)),
      files: Object.keys(require.cache).filter((f) => f !== __filename),
    }),
  );
});
