// Where the token and the API URL come from, in order, remembering the source so every
// message can say which one was used (never the token itself).
import path from 'node:path';
import { AuthError, UsageError } from './errors';
import type { Env, FileSystem } from './world';

export const DEFAULT_API_URL = 'https://api.border0.com/api/v1';

export interface TokenSource {
  token: string;
  /** Human description for messages: "token file /home/a/.border0/token" or "BORDER0_ADMIN_TOKEN". */
  source: string;
  /** Set when the token came from a file whose permissions let others read it. */
  loosePermissions?: { path: string; mode: number };
}

export interface ApiUrl {
  url: URL;
  source: string;
}

export function defaultTokenPath(env: Env, homedir: string, platform: NodeJS.Platform): string {
  const base = platform === 'win32' && env.APPDATA ? env.APPDATA : homedir;
  return path.join(base, '.border0', 'token');
}

const LOGIN_HINT = 'run `border0 login` to get one, or set BORDER0_ADMIN_TOKEN';

export interface TokenLookup {
  /** The token-file setting: from --token-file (which wins over BORDER0_ADMIN_TOKEN), a profile, or the default. */
  tokenFile: { path: string; fromFlag: boolean };
  env: Env;
  fs: FileSystem;
  platform: NodeJS.Platform;
}

/** The token and where it came from, checked for what can be checked locally (characters, a JWT's expiry). */
export async function resolveToken(opts: TokenLookup & { now: number }): Promise<TokenSource> {
  const found = await findToken(opts);
  checkToken(found.token, found.source, opts.now);
  return found;
}

/**
 * The token as found, unchecked: `auth status` reports on an expired token rather than
 * stopping at it. Fails (exit 3) when there is none or it cannot be read.
 */
export async function findToken(opts: TokenLookup): Promise<TokenSource> {
  if (!opts.tokenFile.fromFlag) {
    const fromEnv = opts.env.BORDER0_ADMIN_TOKEN;
    if (fromEnv !== undefined && fromEnv.trim() !== '') return { token: fromEnv.trim(), source: 'BORDER0_ADMIN_TOKEN' };
  }
  const file = opts.tokenFile.path;
  const source = `token file ${file}`;
  let read: { data: Buffer; mode: number };
  try {
    read = await opts.fs.readRegularFile(file, MAX_TOKEN_FILE_BYTES);
  } catch (err) {
    throw new AuthError(`no token: ${file} ${unreadable((err as NodeJS.ErrnoException).code)}; ${LOGIN_HINT}`);
  }
  const token = read.data.toString('utf8').trim();
  if (token === '') throw new AuthError(`no token: ${file} is empty; ${LOGIN_HINT}`);
  const result: TokenSource = { token, source };
  // As ssh does for private keys: a token others can read is a token others can use.
  if (opts.platform !== 'win32' && (read.mode & 0o077) !== 0) {
    result.loosePermissions = { path: file, mode: read.mode & 0o777 };
  }
  return result;
}

/**
 * A token is a few KiB at most. The cap, and reading regular files only, keep a wrong
 * --token-file (/dev/zero, a FIFO, a log file) from hanging b0s or being sent as a header.
 */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

function unreadable(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'is not readable';
    case 'EISDIR':
      return 'is a directory';
    case 'EFTYPE':
      return 'is not a regular file (a device, FIFO or socket)';
    case 'EFBIG':
      return `is larger than ${MAX_TOKEN_FILE_BYTES / 1024} KiB, too large to hold a token`;
    default:
      return `cannot be read (${code ?? 'error'})`;
  }
}

/** Refuses tokens that cannot be a header value, and JWTs whose `exp` has passed. */
export function checkToken(token: string, source: string, now: number): string {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(token) || !/^[\x21-\x7e]+$/.test(token)) {
    throw new AuthError(`the token from ${source} contains spaces, control or non-ASCII characters; ${LOGIN_HINT}`);
  }
  const exp = jwtExpiry(token);
  if (exp !== undefined && exp * 1000 <= now) {
    throw new AuthError(`the token from ${source} expired at ${expiryText(exp)}; run \`border0 login\` for a new one`);
  }
  return token;
}

/** The claims of a JWT, when the token is one. Never verified: the server does that. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The seconds RFC 3339 can write: the years 0000 to 9999. */
const FIRST_RFC3339_SECOND = -62_167_219_200;
const LAST_RFC3339_SECOND = 253_402_300_799;

/** The `exp` claim of a JWT, when the token is one and has it. */
export function jwtExpiry(token: string): number | undefined {
  return expirySeconds(jwtClaims(token)?.exp);
}

/**
 * An `exp` claim, in seconds, when it is a date RFC 3339 can write. Any other (not a
 * number, or past the year 9999) is ignored: the server judges the token anyway.
 */
export function expirySeconds(exp: unknown): number | undefined {
  return typeof exp === 'number' && exp >= FIRST_RFC3339_SECOND && exp <= LAST_RFC3339_SECOND ? exp : undefined;
}

/** An expiry from expirySeconds, in RFC 3339. */
export function expiryText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The API URL setting, checked, with where it came from. */
export function resolveApiUrl(setting: { value: string; source: string }): ApiUrl {
  return { url: parseApiUrl(setting.value, setting.source), source: setting.source };
}

/** Three base64url parts joined by dots: a JWT, as Border0's tokens are. */
const JWT_SHAPE = /^[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}$/;

/** An http(s) base URL without credentials, query or fragment; `source` names where it came from in messages. */
export function parseApiUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // A token put where the URL goes must not be printed back.
    if (JWT_SHAPE.test(value.trim())) throw new UsageError(`${source} holds what looks like a token, not a URL (the token goes in BORDER0_ADMIN_TOKEN or the token file; the API is at ${DEFAULT_API_URL})`);
    throw new UsageError(`${source} is not a URL: "${value}" (expected http(s)://host/path, e.g. ${DEFAULT_API_URL})`);
  }
  // Quoted without what may be a secret: a user name or password in the URL.
  const shown = value.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1…@');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${source} must be an http(s) URL, got "${shown}" (e.g. ${DEFAULT_API_URL})`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError(`${source} must not carry credentials, a query or a fragment: "${shown}"`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** Loopback hosts are the only ones a token may be sent to over plain http. */
function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * How requests reach the API, and whether the token may travel that way at all. Over
 * plain http the token is in clear: allowed only to a loopback address, and then always
 * directly, since a proxy (even through a CONNECT tunnel) would see the request whole.
 * https may go through a proxy: the token stays inside the TLS session with the API.
 */
export function routeTo(api: ApiUrl, env: Env): { proxy?: { url: string; noProxy: string } } {
  if (api.url.protocol === 'http:') {
    if (!isLoopback(api.url.hostname)) {
      throw new UsageError(
        `refusing to send the token over plain http to ${api.url.host} (from ${api.source}); use https:// (http is allowed only to loopback addresses)`,
      );
    }
    return {};
  }
  // As undici's EnvHttpProxyAgent: HTTP_PROXY serves https too when HTTPS_PROXY is unset.
  const url = env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY || '';
  return url ? { proxy: { url, noProxy: env.no_proxy ?? env.NO_PROXY ?? '' } } : {};
}
