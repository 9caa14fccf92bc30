// Everything a command needs from the outside world, built once per run from the World
// and the global flags. The API client is created lazily, so --help and usage errors
// never need a token.
import type { Dispatcher } from 'undici';
import type { Border0Client } from './api/client';
import type { RetryNotice } from './api/http';
import { findToken, resolveApiUrl, resolveToken, routeTo, type TokenLookup, type TokenSource } from './config';
import type { IO } from './io';
import { recentSessions, type RecentSessions } from './recent';
import type { Settings } from './settings';
import { VERSION } from './version';
import type { Env, FileSystem, HostProcess, World } from './world';

export interface GlobalOptions {
  settings: Settings;
  debug: boolean;
  /** False with --no-pager. */
  pager: boolean;
}

export interface ApiOptions {
  /** Requests the client may have in flight at once (a walk's concurrency). */
  concurrency?: number;
  /** Told of each retry (a long-running command says on stderr that it is slowed down). */
  onRetry?: (retry: RetryNotice) => void;
}

export interface Deps {
  io: IO;
  env: Env;
  fs: FileSystem;
  /** Where export keeps its checkpoint unless told otherwise. */
  stateDir: string;
  host: HostProcess;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Aborted on Ctrl-C and when stdout's reader goes away. */
  signal: AbortSignal;
  /** Runs `fn` if the process exits while it is registered; returns a function that unregisters it. */
  onExit(fn: () => void): () => void;
  debug(line: string): void;
  api(opts?: ApiOptions): Promise<Border0Client>;
  /** The token the API client would use and its source, unchecked (for `auth status`). */
  findToken(): Promise<TokenSource>;
  recent: RecentSessions;
  /** Every setting with its source: flags, environment, profile, defaults. */
  settings: Settings;
}

export function createDeps(world: World, io: IO, globals: GlobalOptions, signal: AbortSignal): Deps & { close(): Promise<void> } {
  const { settings } = globals;
  // undici's timers take whole milliseconds only.
  const timeoutMs = Math.max(1, Math.round(settings.timeout.value * 1000));
  let client: Promise<Border0Client> | undefined;
  let dispatcher: Dispatcher | undefined;
  const debug = (line: string) => {
    if (globals.debug) io.stderr.write(`${io.err.dim(`[debug] ${line}`)}\n`);
  };

  const build = async (opts: ApiOptions): Promise<Border0Client> => {
    const api = resolveApiUrl(settings['api-url']);
    const route = routeTo(api, world.env);
    const auth = await resolveToken({ ...tokenLookup(settings, world), now: world.now() });
    if (auth.loosePermissions) {
      const { path, mode } = auth.loosePermissions;
      io.warn(`${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`);
    }
    debug(`profile ${settings.profile.value} (from ${settings.profile.source}; settings file ${settings.file})`);
    debug(`API ${api.url.href} (from ${api.source}${route.proxy ? ', through the proxy in HTTPS_PROXY/HTTP_PROXY unless NO_PROXY matches' : ''}); token from ${auth.source}`);
    const concurrency = opts.concurrency ?? 4;
    const { Http, Limiter, Border0Client } = await import('./api/stack');
    dispatcher = world.dispatcher ?? (await dispatcherFor(route, concurrency, timeoutMs));
    await world.beforeRequests?.(api.url);
    const http = new Http({
      baseUrl: api.url,
      token: auth.token,
      userAgent: `b0s/${VERSION} (node ${process.versions.node}; ${world.platform})`,
      dispatcher,
      limiter: new Limiter(concurrency, world),
      retries: settings.retries.value,
      timeoutMs,
      now: world.now,
      sleep: world.sleep,
      random: world.random,
      trace: globals.debug ? debug : undefined,
      onRetry: opts.onRetry,
    });
    return new Border0Client(http);
  };

  return {
    io,
    env: world.env,
    fs: world.fs,
    stateDir: world.stateDir,
    host: world.host,
    now: world.now,
    sleep: world.sleep,
    signal,
    onExit: (fn) => world.onExit?.(fn) ?? (() => {}),
    debug,
    recent: recentSessions(world.configDir, debug, world.now),
    settings,
    findToken: () => findToken(tokenLookup(settings, world)),
    api(opts = {}) {
      client ??= build(opts);
      return client;
    },
    async close() {
      // Only a dispatcher b0s made is b0s's to close; an injected one belongs to the caller.
      if (!dispatcher || dispatcher === world.dispatcher) return;
      // Closing idle connections costs a one-page list ~2% of its time, and undici's idle
      // sockets do not keep the process alive. Requests still in flight are stopped.
      if (world.processEndsWithRun && isIdle(dispatcher)) return;
      await dispatcher.destroy().catch(() => {});
    },
  };
}

/** No request queued or in flight, by undici's own counts (a dispatcher without them counts as busy). */
function isIdle(dispatcher: Dispatcher): boolean {
  const { stats } = dispatcher as { stats?: Record<string, { size?: number }> };
  return stats !== undefined && Object.values(stats).every((origin) => origin.size === 0);
}

/** Where to look for the token, as the settings say. */
export function tokenLookup(settings: Settings, world: World): TokenLookup {
  const file = settings['token-file'];
  return { tokenFile: { path: file.value, fromFlag: file.source === '--token-file' }, env: world.env, fs: world.fs, platform: world.platform };
}

/**
 * A keep-alive connection pool. Through a proxy: undici's EnvHttpProxyAgent, fed from the
 * route rather than process.env, with no proxy for plain http (only loopback gets there,
 * always directly). Its tunnels need the methods undici's index installs on every
 * dispatcher, so only then is the whole of undici loaded (~50 ms).
 */
async function dispatcherFor(route: ReturnType<typeof routeTo>, connections: number, timeoutMs: number): Promise<Dispatcher> {
  // maxHeaderSize: Node's default, given here so that undici need not load node:http to
  // read it (scripts/build.mjs).
  const options = { connections, keepAliveTimeout: 10_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, maxHeaderSize: 16 * 1024, connect: { timeout: timeoutMs } };
  if (route.proxy) {
    const { EnvHttpProxyAgent } = await import('undici');
    return new EnvHttpProxyAgent({ ...options, httpProxy: '', httpsProxy: route.proxy.url, noProxy: route.proxy.noProxy });
  }
  const { Agent } = await import('./api/stack');
  return new Agent(options);
}
