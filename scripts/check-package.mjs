// The package as users get it (.ci/run runs this after the tests): the tarball `npm pack`
// makes holds only what runs, installs with `npm install -g` into an empty prefix without
// fetching anything (--offline: every package b0s uses is bundled in dist/) and without
// a warning, and both bins work from there.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, startSimProcess } from './sim-process.mjs';

const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const SHIPPED = /^(package\.json|README\.md|CHANGELOG\.md|bin\/b0s|bin\/b0s-sim|dist\/[\w-]+\.cjs|dist\/chunks\/[\w-]+\.cjs|dist\/chunks\/(jq|llhttp|llhttp_simd)\.wasm|dist\/THIRD-PARTY-LICENSES\.txt)$/;

function check(ok, what) {
  if (!ok) throw new Error(`package check failed: ${what}`);
}

const npm = (args, cwd = root) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const tmp = mkdtempSync(path.join(os.tmpdir(), 'b0s-package-'));
let sim;
try {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp]));
  const extra = packed.files.map((f) => f.path).filter((f) => !SHIPPED.test(f));
  check(extra.length === 0, `the tarball holds files that do not run: ${extra.join(', ')}`);
  const tarball = path.join(tmp, packed.filename);
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  check(!manifest.scripts && !manifest.dependencies, `the packed package.json has scripts or dependencies: ${JSON.stringify(manifest)}`);

  const prefix = path.join(tmp, 'prefix');
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { cwd: tmp, encoding: 'utf8' });
  // npm's warnings go to stderr.
  const said = `${install.stdout}${install.stderr}`;
  check(install.status === 0 && !/warn|error/i.test(said), `npm install -g (exit ${install.status}) printed: ${said}`);

  const bin = (name) => path.join(prefix, 'bin', name);
  const run = (args, env = {}) => execFileSync(bin('b0s'), args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp, ...env } });
  check(run(['--version']).trim() === version, `b0s --version does not say ${version}`);
  check(run(['--help']).startsWith('Usage: b0s'), 'b0s --help does not print the usage');

  sim = await startSimProcess(['--sessions', '50'], [bin('b0s-sim')]);
  const { env } = sim;
  const sessions = JSON.parse(run(['list', '--page-size', '3', '-o', 'json'], env));
  check(sessions.length === 3 && typeof sessions[0].session_id === 'string', 'b0s list against b0s-sim did not list 3 sessions');
  // undici's HTTP parsers are .wasm files beside its code: the one without SIMD as well.
  const withoutSimd = JSON.parse(run(['list', '--page-size', '3', '-o', 'json'], { ...env, UNDICI_NO_WASM_SIMD: '1' }));
  check(withoutSimd.length === 3, 'b0s list with undici\'s parser without SIMD did not list 3 sessions');
  // jq's WebAssembly and the search worker are files of their own, found beside the code.
  const ids = run(['list', '--page-size', '3', '--jq', '.[].session_id'], env).trim().split('\n');
  check(ids.length === 3 && ids[0] === sessions[0].session_id, `b0s list --jq printed ${JSON.stringify(ids)}`);
  const found = run(['search', 'e', '--limit', '2', '--concurrency', '2', '-o', 'ndjson'], env).trim().split('\n');
  check(found.length > 0 && JSON.parse(found[0]).session_id !== undefined, 'b0s search found nothing in the simulator');
  console.log(`package ok: ${packed.filename}, ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} kB; installed offline without warnings; b0s and b0s-sim work`);
} finally {
  sim?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
