// What the built bin loads for each kind of run: `--version` and `--help` must stay
// close to a bare Node start (bench/ measures it; this checks the cause, not the time).
// The build records which source modules each file of dist/ holds.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CA_CERT, startTlsFront } from './helpers/proxies';
import { useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { recordOutput } from './helpers/world';

const ROOT = path.join(__dirname, '..');
const { env, sim } = useSimulator({ sessions: 300 });
const tmp = useTempDir();

interface Loaded {
  code: number | null;
  builtins: string[];
  /** Built-in modules loaded after b0s changed a V8 flag: Node compiles those from source. */
  builtinsAfterFlags: string[];
  /** The source modules (src/… and node_modules/…) in the files of dist/ that were loaded. */
  modules: string[];
}

/** Runs the built bin with output piped, as a script would, and reports what it loaded. */
async function loadedBy(args: string[], extraEnv: Record<string, string> = {}): Promise<Loaded> {
  const dir = tmp('loaded');
  const report = path.join(dir, 'loaded.json');
  const proc = spawn(process.execPath, ['-r', path.join(__dirname, 'helpers', 'loaded-modules.cjs'), path.join(ROOT, 'bin', 'b0s'), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: os.tmpdir(), ...env(), ...extraEnv, B0S_TEST_LOADED: report },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (d: Buffer) => out.push(d));
  proc.stderr.on('data', (d: Buffer) => err.push(d));
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  recordOutput(Buffer.concat(out), Buffer.concat(err));
  const { builtins, builtinsAfterFlags, files } = JSON.parse(readFileSync(report, 'utf8')) as { builtins: string[]; builtinsAfterFlags: string[]; files: string[] };
  const held = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '.cache', 'b0s', 'dist-modules.json'), 'utf8')) as Record<string, string[]>;
  const modules = new Set<string>();
  for (const file of files) {
    if (file === path.join(ROOT, 'bin', 'b0s')) continue;
    if (!file.startsWith(path.join(ROOT, 'dist', path.sep))) throw new Error(`b0s loaded a file from outside dist/: ${file}`);
    const inputs = held[path.relative(path.join(ROOT, 'dist'), file)];
    if (!inputs) throw new Error(`the build's module map does not know ${file}: rebuild`);
    for (const input of inputs) if (/^(src|node_modules)\//.test(input)) modules.add(input);
  }
  return { code, builtins, builtinsAfterFlags, modules: [...modules].sort() };
}

/** What a run that makes no request must never load. */
const HEAVY_MODULES = /^node_modules\/(undici|@xterm|ora|cli-table3|conf|string-width)\/|^src\/(api\/|recording\/|commands\/|output\/list-writer)/;
const HEAVY_BUILTINS = ['http', 'https', 'http2', 'tls', 'crypto', 'zlib', 'child_process', 'v8', 'fs/promises', 'readline', 'worker_threads'];

describe('start-up', () => {
  it('--version loads its own entry, the version and the folder names, nothing else', async () => {
    const loaded = await loadedBy(['--version']);
    expect(loaded.code).toBe(0);
    expect(loaded.modules).toEqual(['src/bin.ts', 'src/run-kind.ts', 'src/user-dirs.ts', 'src/version.ts']);
    expect(loaded.builtins.filter((b) => HEAVY_BUILTINS.includes(b))).toEqual([]);
  });

  it('--help loads the command surface (commander, cli.ts) but no HTTP client, command, recording code, spinner, table or settings store', async () => {
    const loaded = await loadedBy(['--help']);
    expect(loaded.code).toBe(0);
    // The check itself works: these are found in the comments of dist/.
    expect(loaded.modules).toContain('src/cli.ts');
    expect(loaded.modules.some((m) => m.startsWith('node_modules/commander/'))).toBe(true);
    expect(loaded.modules.filter((m) => HEAVY_MODULES.test(m))).toEqual([]);
    expect(loaded.builtins.filter((b) => HEAVY_BUILTINS.includes(b))).toEqual([]);
    // Output to a pipe is written directly: Node's stdout and stderr streams are never built.
    expect(loaded.builtins.filter((b) => /^(stream|net|tty|internal\/streams\/.*)$/.test(b))).toEqual([]);
  });

  it('one page of list -o ndjson against a plain-http API loads the HTTP client but no TLS, HTTP/2, recording code, spinner, terminal table or page walker', async () => {
    const loaded = await loadedBy(['list', '--page-size', '5', '-o', 'ndjson']);
    expect(loaded.code).toBe(0);
    expect(loaded.modules).toContain('src/commands/list.ts');
    expect(loaded.modules.some((m) => m.startsWith('node_modules/undici/'))).toBe(true);
    expect(loaded.modules.filter((m) => /^node_modules\/(@xterm|ora|cli-table3|string-width|emoji-regex)\/|^src\/recording\/|^src\/output\/(layout|terminal-table)|^src\/api\/walk\//.test(m))).toEqual([]);
    // undici's use of node:http is deferred at build time (scripts/build.mjs).
    expect(loaded.builtins.filter((b) => ['http', 'http2', 'tls', 'crypto', 'child_process'].includes(b))).toEqual([]);
    expect(loaded.builtins).toContain('v8');
    expect(loaded.builtinsAfterFlags).toEqual([]);
    // zlib is the compile cache's, for its checksums (src/compile-cache.ts): nothing else loads it.
    const uncached = await loadedBy(['list', '--page-size', '5', '-o', 'ndjson'], { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(uncached.builtins.filter((b) => ['zlib', 'vm'].includes(b))).toEqual([]);
    expect(loaded.builtins.filter((b) => !uncached.builtins.includes(b)).sort()).toEqual(['vm', 'zlib']);
  });

  it('a list over HTTPS, or to a host name, loads what connecting needs before V8 flags change, so Node still takes those built-ins from its code cache', async () => {
    const front = await startTlsFront(sim().url);
    try {
      const overTls = await loadedBy(['list', '--page-size', '5', '-o', 'ndjson'], { BORDER0_API: front.url, NODE_EXTRA_CA_CERTS: CA_CERT });
      expect(overTls.code).toBe(0);
      expect(overTls.builtins).toContain('tls');
      expect(overTls.builtinsAfterFlags).toEqual([]);
    } finally {
      await front.close();
    }
    const byName = await loadedBy(['list', '--page-size', '5', '-o', 'ndjson'], { BORDER0_API: sim().url.replace('127.0.0.1', 'localhost') });
    expect(byName.code).toBe(0);
    expect(byName.builtins).toContain('dns');
    expect(byName.builtinsAfterFlags).toEqual([]);
  });

  it('search renders recordings in worker threads, found beside the split-off code that starts them', async () => {
    const loaded = await loadedBy(['search', 'e', '--limit', '3', '--concurrency', '2', '-o', 'ndjson']);
    expect(loaded.code).toBe(0);
    expect(loaded.modules).toContain('src/recording/search-pool.ts');
    expect(loaded.builtins).toContain('worker_threads');
  });
});
