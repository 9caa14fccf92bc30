// The only module that touches the real process: it builds the World from process,
// the environment and the disk, runs the CLI, and sets the exit code.
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { run } from './cli';
import { CancelledError, type StopSignal } from './errors';
import { nodeFileSystem } from './node-fs';
import { spawnPager } from './pager';
import { handleStopSignals } from './signals';
import type { World } from './world';

// A long walk allocates steadily while keeping only a few pages alive. By default V8
// keeps doubling the young generation (up to 16 MB semi-spaces) for such a workload,
// so peak memory would creep up with the length of the walk; at its initial size,
// memory stays flat for ~3% more CPU. This flag is read at each resize, so it works
// when set at run time.
setFlagsFromString('--semi-space-growth-factor=1');

const SIGNAL_WORDS: Record<StopSignal, string> = { SIGINT: 'interrupted', SIGTERM: 'stopped by SIGTERM', SIGHUP: 'stopped by SIGHUP (the terminal closed)' };
const interrupt = new AbortController();
handleStopSignals(process, (signal) => interrupt.abort(new CancelledError(SIGNAL_WORDS[signal], signal)));
// stderr is where failures are reported: when it fails too (a closed terminal), there is
// nowhere left to say so, and the exit code still tells.
process.stderr.on('error', () => {});

// The platform's usual place for per-user settings.
function configDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'b0s');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Preferences', 'b0s');
  return path.join(process.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'b0s');
}

// The platform's usual place for state a program keeps between runs (not settings).
function stateDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'b0s', 'state');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'b0s');
  return path.join(process.env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'b0s');
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const world: World = {
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  homedir: homedir(),
  platform: process.platform,
  configDir: configDir(),
  stateDir: stateDir(),
  host: { pid: process.pid, hostname: hostname(), isRunning },
  fs: nodeFileSystem,
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).then(() => undefined),
  random: Math.random,
  signal: interrupt.signal,
  spawnPager,
  onExit(fn) {
    process.on('exit', fn);
    return () => process.removeListener('exit', fn);
  },
};

run(world).then((code) => {
  process.exitCode = code;
  // run() has reported what went wrong; bytes still queued after a signal may fail quietly.
  process.stdout.on('error', () => {});
  // stdin was only read for a prompt; it must not keep the process alive.
  process.stdin.unref?.();
});
