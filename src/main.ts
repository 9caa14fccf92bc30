// The only module that touches the real process: it builds the World from process,
// the environment and the disk, runs the CLI, and sets the exit code.
import { setTimeout as delay } from 'node:timers/promises';
import { run } from './cli';
import { CancelledError, type StopSignal } from './errors';
import { directOutput } from './direct-output';
import { nodeFileSystem } from './node-fs';
import { nodeHost } from './node-host';
import { spawnPager } from './pager';
import { handleStopSignals } from './signals';
import type { UserDirs } from './user-dirs';
import type { World } from './world';

/**
 * V8 settings for a run that talks to the API, made before its first request (node:v8
 * alone costs a start ~5%, so --help and usage errors do without).
 */
async function tuneForRequests(api: URL, beforeFlagChanges: () => void): Promise<void> {
  await loadWhatConnectingLoads(api);
  beforeFlagChanges();
  const { setFlagsFromString } = await import('node:v8');
  // undici parses HTTP with WebAssembly. V8 first compiles it with its baseline compiler
  // (Liftoff), then recompiles it with TurboFan on background threads, and a process
  // cannot exit before those finish: a one-page list waited ~0.4 s for code it would
  // never run. Baseline code parses as fast as b0s needs, even on a long walk (see the
  // start and walk benchmarks). Read when undici compiles its parser, so set before.
  setFlagsFromString('--liftoff-only');
  // A long walk allocates steadily while keeping only a few pages alive. By default V8
  // keeps doubling the young generation (up to 16 MB semi-spaces) for such a workload,
  // so peak memory would creep up with the length of the walk; at its initial size,
  // memory stays flat for ~3% more CPU. This flag is read at each resize, so it works
  // when set at run time.
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Node loads its built-in modules from a code cache that V8 no longer accepts once a flag
 * has changed: then it compiles them from source, which took the TLS and DNS modules of a
 * first HTTPS request ~5 ms more. So what connecting will load is loaded before the flags
 * change (undici loads TLS as it connects, and Node's net module DNS for a host name).
 */
async function loadWhatConnectingLoads(api: URL): Promise<void> {
  if (api.protocol === 'https:') await import('node:tls');
  const { isIP } = await import('node:net');
  if (isIP(api.hostname.replace(/^\[|\]$/g, '')) === 0) await import('node:dns');
}

const SIGNAL_WORDS: Record<StopSignal, string> = { SIGINT: 'interrupted', SIGTERM: 'stopped by SIGTERM', SIGHUP: 'stopped by SIGHUP (the terminal closed)' };

export interface Start {
  homedir: string;
  dirs: UserDirs;
  /** Called before b0s first changes a V8 flag. */
  beforeFlagChanges(): void;
}

export function main({ homedir, dirs, beforeFlagChanges }: Start): void {
  const interrupt = new AbortController();
  handleStopSignals(process, (signal) => interrupt.abort(new CancelledError(SIGNAL_WORDS[signal], signal)));
  // Node builds process.stdout and stderr on first use, which a run writing to files or pipes
  // does without (src/direct-output.ts).
  const stdout = directOutput(1, () => process.stdout) ?? process.stdout;
  const stderr = directOutput(2, () => process.stderr) ?? process.stderr;
  // stderr is where failures are reported: when it fails too (a closed terminal), there is
  // nowhere left to say so, and the exit code still tells.
  stderr.on('error', () => {});

  // Node builds process.stdin on first use: only a prompt needs it.
  let stdin: typeof process.stdin | undefined;
  const world: World = {
    argv: process.argv.slice(2),
    env: process.env,
    get stdin() {
      return (stdin ??= process.stdin);
    },
    stdout,
    stderr,
    homedir,
    platform: process.platform,
    configDir: dirs.config,
    stateDir: dirs.state,
    host: nodeHost(),
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
    beforeRequests: (api) => tuneForRequests(api, beforeFlagChanges),
    processEndsWithRun: true,
  };

  run(world).then((code) => {
    process.exitCode = code;
    // run() has reported what went wrong; bytes still queued after a signal may fail quietly.
    stdout.on('error', () => {});
    // stdin was only read for a prompt; it must not keep the process alive.
    stdin?.unref?.();
  });
}
