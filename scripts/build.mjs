// Builds dist/: one small CommonJS entry per bin, and a chunk for each module behind an
// `await import()`, loaded only when a command needs it. `b0s --version` then reads a few
// kB of code instead of the whole program (2 MB, with undici and xterm).
//
// esbuild splits code only in ESM output, and loading ESM costs Node its ESM loader (~15%
// of a bare `node -e 0`). So the split output is turned into CommonJS, file by file:
// static imports between chunks become require() and `import()` becomes a lazy require().
// Any new `await import('./commands/x')` in src/ gets its own chunk with no change here.
import { build, transform } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** An esbuild filter for one file of a package, named as in `undici/lib/core/util.js`. */
function packageFile(name) {
  return new RegExp(`[\\\\/]node_modules[\\\\/]${name.split('/').map(escapeRegExp).join('[\\\\/]')}$`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Built-in modules that a package loads as it loads, for features b0s never uses: each
 * is loaded the first time the package touches it, if ever. `keep` names properties the
 * package reads as it loads; they are copied here, at build time (protocol constants).
 * `call` is for a module that is itself a function: calling the stand-in calls it.
 */
const LAZY_BUILTINS = [
  // For subcommands that are separate executables: b0s has none.
  { name: 'child_process', from: 'commander', keep: [] },
  // undici only calls assert(value) on its own invariants; node:assert brings its error
  // formatting and comparison code (~6 ms) to every command that makes a request.
  { name: 'assert', from: 'undici', keep: [], call: '(value, message) => { if (!value) require("node:assert").ok(value, message ?? "an internal check of undici failed"); }' },
];

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    for (const { name, from } of LAZY_BUILTINS) {
      const importer = new RegExp(`[\\\\/]node_modules[\\\\/]${from}[\\\\/]`);
      b.onResolve({ filter: new RegExp(`^(node:)?${name}$`) }, (args) => (importer.test(args.importer) ? { path: name, namespace: 'lazy-builtin' } : undefined));
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async ({ path: name }) => {
      const real = await import(`node:${name}`);
      const { keep, call } = LAZY_BUILTINS.find((l) => l.name === name);
      const kept = Object.fromEntries(keep.map((key) => [key, real[key]]));
      // A Proxy's target decides whether it can be called, so a callable module gets a
      // function target holding the kept properties.
      const target = call ? `Object.assign(${call}, ${JSON.stringify(kept)})` : JSON.stringify(kept);
      return {
        loader: 'js',
        contents: `module.exports = new Proxy(${target}, { get: (kept, key) => (Object.hasOwn(kept, key) ? kept[key] : require('node:${name}')[key]) });`,
      };
    });
  },
};

/**
 * Modules of a package that b0s never runs, left out: undici's HTTP/2 client and the fetch
 * code that encodes form data (with WebIDL and friends) would otherwise be parsed by every
 * start that makes a request, ~130 kB of it. What takes their place fails clearly if it is
 * ever called. `request` is the path exactly as `importer` requires it.
 */
const LEFT_OUT = [
  // b0s never offers HTTP/2 (undici's allowH2 stays off), so no server can choose it.
  { request: './client-h2.js', importer: 'undici/lib/dispatcher/client.js', stub: "module.exports = () => { throw new Error('b0s is built without HTTP/2'); };" },
  // b0s sends JSON bodies only, never form data.
  { request: '../web/fetch/body.js', importer: 'undici/lib/dispatcher/client-h1.js', stub: "module.exports = { extractBody() { throw new Error('b0s is built without form-data bodies'); } };" },
];

const leftOut = {
  name: 'left-out',
  setup(b) {
    for (const [i, { request, importer }] of LEFT_OUT.entries()) {
      const from = path.join('node_modules', ...importer.split('/'));
      b.onResolve({ filter: new RegExp(`^${escapeRegExp(request)}$`) }, (args) =>
        args.importer.endsWith(from) ? { path: String(i), namespace: 'left-out' } : undefined,
      );
    }
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, ({ path: i }) => ({ loader: 'js', contents: LEFT_OUT[Number(i)].stub }));
  },
};

/**
 * Changes to a package's source, made as it is bundled. The build fails if a `find` no
 * longer occurs exactly once, so a package update cannot silently undo one.
 */
const SOURCE_PATCHES = [
  {
    // undici parses HTTP with WebAssembly, which V8 compiles function by function on first
    // call: the parser's state machine took ~6 ms of the main thread as the first response
    // arrived. Once undici has its parser, b0s runs it once on no bytes, right after the
    // first request goes out, so that compiling overlaps the wait for the server. A parser
    // of its own, no input: nothing to parse and no callback to make (a failure is
    // ignored: the real parse compiles the parser as before).
    file: 'undici/lib/dispatcher/client-h1.js',
    edits: [{ find: 'llhttpInstance = lazyllhttp()', replace: 'llhttpInstance = lazyllhttp(); setImmediate(b0sWarmUpParser, llhttpInstance)' }],
    append: `
function b0sWarmUpParser (instance) {
  try {
    const { llhttp_alloc: alloc, llhttp_execute: execute, llhttp_free: free } = instance.exports
    const ptr = alloc(constants.TYPE.RESPONSE)
    try { execute(ptr, 0, 0) } finally { free(ptr) }
  } catch {}
}
`,
  },
  {
    // undici loads node:http as it loads (~2 ms of a one-page list) for two things: to
    // tell node:http's own messages apart when it destroys a stream, and for the default
    // header size limit. Both now load it only when asked: a stream can only be one of
    // node:http's messages once node:http is loaded, and b0s sets the limit itself.
    file: 'undici/lib/core/util.js',
    edits: [
      { find: "const { IncomingMessage } = require('node:http')\n", replace: '' },
      { find: 'Object.getPrototypeOf(stream).constructor === IncomingMessage', replace: 'isHttpIncomingMessage(stream)' },
    ],
    append: `
function isHttpIncomingMessage (stream) {
  const { constructor } = Object.getPrototypeOf(stream)
  return constructor?.name === 'IncomingMessage' && constructor === require('node:http').IncomingMessage
}
`,
  },
  {
    file: 'undici/lib/dispatcher/client.js',
    edits: [
      { find: "const http = require('node:http')\n", replace: '' },
      {
        find: `const getDefaultNodeMaxHeaderSize = http &&
  http.maxHeaderSize &&
  Number.isInteger(http.maxHeaderSize) &&
  http.maxHeaderSize > 0
  ? () => http.maxHeaderSize
  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }`,
        replace: `const getDefaultNodeMaxHeaderSize = () => {
  const { maxHeaderSize } = require('node:http')
  if (Number.isInteger(maxHeaderSize) && maxHeaderSize > 0) return maxHeaderSize
  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')
}`,
      },
    ],
  },
];

const sourcePatches = {
  name: 'source-patches',
  setup(b) {
    for (const { file: name, edits, append = '' } of SOURCE_PATCHES) {
      b.onLoad({ filter: packageFile(name) }, ({ path: file }) => {
        let code = readFileSync(file, 'utf8');
        for (const { find, replace } of edits) {
          if (code.split(find).length !== 2) throw new Error(`build: ${file} no longer has, exactly once: ${find.split('\n')[0]}`);
          code = code.replace(find, () => replace);
        }
        return { loader: 'js', contents: code + append, resolveDir: path.dirname(file) };
      });
    }
  },
};

/**
 * undici carries its HTTP parser as WebAssembly in base64, in two variants (with and
 * without SIMD), inside its JavaScript: 144 kB that every request-making start would read
 * and scan, then decode. The build writes each variant as a .wasm file beside the code
 * that loads it, and that code reads only the variant it uses, when it first needs it.
 */
const WASM_FROM_BASE64 = [
  { module: 'undici/lib/llhttp/llhttp_simd-wasm.js', file: 'llhttp_simd.wasm' },
  { module: 'undici/lib/llhttp/llhttp-wasm.js', file: 'llhttp.wasm' },
];

const wasmFromBase64 = {
  name: 'wasm-from-base64',
  setup(b) {
    for (const { module, file } of WASM_FROM_BASE64) {
      b.onLoad({ filter: packageFile(module) }, () => ({ loader: 'js', contents: `module.exports = require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(file)}));` }));
    }
  },
};

/**
 * Files that bundled code reads from beside itself (its __dirname), written beside the
 * file of dist/ that holds that code: jq-web's jq.wasm, and undici's parsers.
 */
const BESIDE_CODE = [
  { input: 'node_modules/jq-web/jq.js', file: 'jq.wasm', bytes: () => readFileSync(path.join(root, 'node_modules', 'jq-web', 'jq.wasm')) },
  // Each of undici's modules exports its parser, decoded.
  ...WASM_FROM_BASE64.map(({ module, file }) => ({ input: `node_modules/${module}`, file, bytes: () => createRequire(import.meta.url)(path.join(root, 'node_modules', module)) })),
];

const split = await build({
  absWorkingDir: root,
  // search-worker: a file of its own, since a worker thread starts from a file.
  entryPoints: { b0s: 'src/bin.ts', 'b0s-sim': 'src/simulator/main.ts', 'search-worker': 'src/recording/search-worker.ts' },
  outdir: dist,
  // The names the CommonJS files will have, so the imports between them are right already.
  outExtension: { '.js': '.cjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  define: { B0S_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
  plugins: [lazyBuiltins, leftOut, sourcePatches, wasmFromBase64],
  metafile: true,
  write: false,
});

// Chunks have content hashes in their names: clear out the previous build's.
rmSync(dist, { recursive: true, force: true });
for (const file of split.outputFiles) {
  const { code } = await transform(file.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    loader: 'js',
    // `import()` of a chunk becomes `Promise.resolve().then(() => require(...))`.
    supported: { 'dynamic-import': false },
    // Less for every start to read and scan (~2%). b0s's own code keeps its names, for
    // stack traces (--debug); a file of packages' code only has them shortened too, which
    // takes undici's from 138 to ~97 kB and a one-page list ~1.5 ms.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: !holdsOwnCode(file.path),
  });
  mkdirSync(path.dirname(file.path), { recursive: true });
  assertOnlyCallsRequire(file.path, code);
  writeFileSync(file.path, loadsCommonJs(file.path) ? `${code}module.exports = module.exports.default;\n` : code);
}

writeFileSync(path.join(dist, 'THIRD-PARTY-LICENSES.txt'), licenses(split.metafile));
writeModuleMap(split.metafile);
writeBesideTheirCode(BESIDE_CODE);

function writeBesideTheirCode(files) {
  for (const { input, file, bytes } of files) {
    const [output] = Object.entries(split.metafile.outputs).find(([, out]) => input in out.inputs) ?? [];
    if (!output) throw new Error(`build: no output holds ${input}, which needs ${file} beside it`);
    writeFileSync(path.join(root, path.dirname(output), file), bytes());
  }
}

/**
 * The files b0s keeps compiled code for (src/compile-cache.ts) get a `require` that can
 * only be called: none may use require.resolve, require.cache and the like.
 */
function assertOnlyCallsRequire(file, code) {
  const use = /(?<![\w$.])require\.(?!apply\b|call\b)[\w$]+/.exec(code);
  if (use) throw new Error(`build: ${path.relative(root, file)} uses ${use[0]}, which the compile cache's require does not offer (src/compile-cache.ts)`);
}

/** Whether a file of dist/ holds any of src/, rather than packages' code only. */
function holdsOwnCode(file) {
  const output = split.metafile.outputs[path.relative(root, file)];
  // A file the metafile does not describe keeps its names.
  if (!output) return true;
  return Object.keys(output.inputs).some((input) => !input.startsWith('node_modules/') && !input.includes(':'));
}

/**
 * A chunk made for `await import('pkg')` of a CommonJS package exports only `default`
 * (its module.exports), where Node (and a CommonJS bundle) also offer its properties as
 * names: `const { EnvHttpProxyAgent } = await import('undici')`. So such a chunk
 * exports the package's module.exports itself, as a CommonJS bundle would.
 */
function loadsCommonJs(file) {
  const { entryPoint } = split.metafile.outputs[path.relative(root, file)] ?? {};
  return entryPoint?.startsWith('node_modules/') === true && split.metafile.inputs[entryPoint]?.format === 'cjs';
}

/**
 * Which source modules each file of dist/ holds, for test/start-up.test.ts (minified code
 * no longer names them). Kept with the build tools' caches, not in the package.
 */
function writeModuleMap(metafile) {
  const map = Object.fromEntries(Object.entries(metafile.outputs).map(([out, { inputs }]) => [path.relative(dist, path.join(root, out)), Object.keys(inputs)]));
  const dir = path.join(root, 'node_modules', '.cache', 'b0s');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'dist-modules.json'), `${JSON.stringify(map, null, 1)}\n`);
}

/** dist/ holds the code of the packages b0s uses, so it holds their licences too. */
function licenses(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const pkg = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (pkg) dirs.add(path.join(root, pkg[1]));
  }
  const sections = [...dirs].map((dir) => {
    const { name, version, license } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(path.join(dir, file), 'utf8').trim() : `${license} (the package has no licence file)`;
    return `${name}@${version} (${license})\n\n${text}\n`;
  });
  return `b0s bundles the following packages into this folder. Their licences:\n\n${sections.sort().join(`\n${'-'.repeat(78)}\n\n`)}`;
}
