// Bundles each entry point into one CommonJS file: one file to parse at start-up, and
// modules behind `await import()` are only evaluated when a command needs them.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { b0s: 'src/main.ts', 'b0s-sim': 'src/simulator/main.ts', 'search-worker': 'src/recording/search-worker.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  define: { B0S_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
  // jq-web loads its jq.wasm from beside its own file: it stays in node_modules.
  external: ['jq-web'],
});
