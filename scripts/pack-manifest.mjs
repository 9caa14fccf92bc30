// `npm pack` and `npm publish` run this around packing (prepack: `strip`, postpack:
// `restore`): the package.json inside the tarball keeps only what an installed b0s needs.
// - No scripts: npm treats `prepare` (which builds dist/ in a clone, at `npm ci`) as an
//   install script of a tarball, and warns or refuses to run it; dist/ ships built.
// - No dependencies: dist/ holds every package b0s uses, bundled (and their licences in
//   dist/THIRD-PARTY-LICENSES.txt), so installing fetches nothing.
// The repository's own package.json is put back after packing.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = path.join(root, 'package.json');
const saved = path.join(root, '.package.json.before-pack');

// A pack that failed before postpack left the repository's manifest aside: take it back first.
if (existsSync(saved)) renameSync(saved, manifest);

if (process.argv[2] === 'strip') {
  const text = readFileSync(manifest, 'utf8');
  const shipped = JSON.parse(text);
  for (const key of ['scripts', 'dependencies', 'devDependencies', 'allowScripts']) delete shipped[key];
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(shipped, null, 2)}\n`);
} else if (process.argv[2] !== 'restore') {
  throw new Error('usage: pack-manifest.mjs strip|restore');
}
