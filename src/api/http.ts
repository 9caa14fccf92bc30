// The one HTTP client: every call goes through `send`, which adds the token and
// User-Agent, bounds each response in time and size, retries idempotent calls on
// transient failures, and turns every failure into a typed error with one readable line
// that never repeats the token.
import type { Dispatcher } from 'undici';
import undiciRequest from 'undici/lib/api/api-request';
import { ApiError, AuthError, B0sError, CancelledError, NetworkError, NotFoundError } from '../errors';
import { inlineText } from '../text';
import type { Limiter } from './limiter';
import { redactor, type Redactor } from './redact';
import { RETRYABLE_CODES, RETRYABLE_STATUS, backoffDelay, parseRetryAfter } from './retry';

export interface HttpOptions {
  baseUrl: URL;
  token: string;
  userAgent: string;
  dispatcher: Dispatcher;
  limiter: Limiter;
  /** Attempts after the first, for idempotent calls. */
  retries: number;
  timeoutMs: number;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /** --debug: one line per attempt. Never given the token. */
  trace?: (line: string) => void;
  /** Told of each retry before its wait (a long-running command says so on stderr). */
  onRetry?: (retry: RetryNotice) => void;
}

export interface RetryNotice {
  /** `GET /sessions`: the method and the path below the base URL, without the query. */
  endpoint: string;
  /** The HTTP status that is retried, or undefined for a failure without an answer. */
  status?: number;
  /** What went wrong without an answer (`ECONNRESET`, `timeout`, ...). */
  code?: string;
  /** How long until the next attempt (ms), as far as this request decides it. */
  waitMs: number;
}

export interface SendRequest {
  method: 'GET' | 'PUT';
  /** Path segments below the base URL; each one is percent-encoded. */
  segments: readonly string[];
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /** The largest body accepted (default MAX_JSON_BYTES). A larger one is an error, not retried. */
  maxBytes?: number;
}

/** Caps on what one response may hold: generous, but an endless body must not exhaust memory. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** "GET /session/…/…" for messages. */
  endpoint: string;
}

export class Http {
  readonly host: string;
  readonly baseUrl: string;
  /** The API's path without a trailing slash: "" for an API at the root ("/" is all a URL there has). */
  private readonly basePath: string;
  private readonly redact: Redactor;

  constructor(private readonly opts: HttpOptions) {
    this.host = opts.baseUrl.host;
    this.baseUrl = opts.baseUrl.href;
    this.basePath = opts.baseUrl.pathname.replace(/\/+$/, '');
    this.redact = redactor(opts.token);
  }

  async send(req: SendRequest): Promise<Reply> {
    const { opts } = this;
    const path = `${this.basePath}/${req.segments.map(encodeURIComponent).join('/')}${queryString(req.query)}`;
    // IDs in a path may come from a server (a short-ID lookup): messages and traces show
    // them with the token cut out too.
    const endpoint = this.redact.scrub(`${req.method} /${req.segments.join('/')}`);
    const traced = this.redact.scrub(`${req.method} ${path}`);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': opts.userAgent,
      'x-access-token': opts.token,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';

    for (let attempt = 0; ; attempt++) {
      const last = attempt >= opts.retries;
      await opts.limiter.acquire(req.signal);
      const started = opts.now();
      let reply: Reply;
      try {
        reply = await this.exchange({ path, endpoint, headers, body }, req);
      } catch (err) {
        opts.limiter.release();
        if (req.signal?.aborted) throw req.signal.reason ?? new CancelledError('interrupted');
        // An answer too large to read would be just as large the next time.
        if (err instanceof B0sError) throw err;
        const failure = networkError(err, opts.baseUrl, opts.timeoutMs, (text) => this.excerpt(text, 200) ?? WITHHELD);
        opts.trace?.(`${traced} → ${failure.code ?? 'error'} after ${opts.now() - started} ms (attempt ${attempt + 1})`);
        if (last || !RETRYABLE_CODES.has(failure.code ?? '')) throw withAttempts(failure, attempt);
        const wait = backoffDelay(attempt, opts.random);
        opts.onRetry?.({ endpoint, code: failure.code, waitMs: wait });
        await opts.sleep(wait, req.signal);
        continue;
      }
      opts.limiter.release();
      opts.trace?.(`${traced} → ${reply.status} (${reply.body.length} bytes, ${opts.now() - started} ms, attempt ${attempt + 1})`);

      if (reply.status >= 200 && reply.status < 300) {
        opts.limiter.succeeded();
        return reply;
      }
      if (last || !RETRYABLE_STATUS.has(reply.status)) throw withAttempts(this.httpError(reply), attempt);
      const retryAfter = parseRetryAfter(reply.headers['retry-after'], opts.now());
      if (reply.status === 429) {
        // Everyone waits, not just this request: the limiter pauses the whole run.
        const wait = retryAfter ?? backoffDelay(attempt + 2, opts.random);
        opts.onRetry?.({ endpoint, status: reply.status, waitMs: wait });
        opts.limiter.rateLimited(wait);
      } else {
        const wait = retryAfter ?? backoffDelay(attempt, opts.random);
        opts.onRetry?.({ endpoint, status: reply.status, waitMs: wait });
        await opts.sleep(wait, req.signal);
      }
    }
  }

  /** One attempt: the request, and the whole body read within --timeout and the size cap. */
  private async exchange(
    wire: { path: string; endpoint: string; headers: Record<string, string>; body: string | undefined },
    req: SendRequest,
  ): Promise<Reply> {
    const { opts } = this;
    const thisTry = new AbortController();
    const cancel = () => thisTry.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', cancel, { once: true });
    // One deadline for the whole exchange, body included: undici's body timeout restarts
    // at every chunk (a body trickling a byte a second would run for hours), and its
    // timers tick in half-second steps while this one is exact.
    let stage: Deadline['stage'] = 'headers';
    const deadline = setTimeout(() => thisTry.abort(new Deadline(stage)), opts.timeoutMs);
    try {
      const res = await undiciRequest.call(opts.dispatcher, {
        origin: opts.baseUrl.origin,
        path: wire.path,
        method: req.method,
        headers: wire.headers,
        body: wire.body,
        signal: thisTry.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      stage = 'body';
      const max = req.maxBytes ?? MAX_JSON_BYTES;
      const tooLarge = () =>
        new ApiError(`the response to ${wire.endpoint} (HTTP ${res.statusCode}) is larger than ${sizeText(max)}, the most b0s reads in one response`, res.statusCode);
      return { status: res.statusCode, headers: res.headers, body: await readBody(res, max, tooLarge), endpoint: wire.endpoint };
    } catch (err) {
      const reason: unknown = thisTry.signal.reason;
      throw reason instanceof Deadline ? reason : err;
    } finally {
      clearTimeout(deadline);
      req.signal?.removeEventListener('abort', cancel);
    }
  }

  /** A JSON reply body; a malformed one is retried like a cut-off response (every call b0s makes is idempotent), then reported. */
  async json(req: SendRequest): Promise<{ value: unknown; endpoint: string }> {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.send(req);
      try {
        return { value: JSON.parse(reply.body.toString('utf8')), endpoint: reply.endpoint };
      } catch (err) {
        if (attempt >= this.opts.retries) {
          // V8's message quotes a piece of the body: it is server text like any other.
          const why = this.excerpt((err as Error).message, 200) ?? WITHHELD;
          throw new ApiError(`the response to ${reply.endpoint} is not valid JSON (${why}): ${this.describeBody(reply)}`, reply.status);
        }
        this.opts.trace?.(`${reply.endpoint}: malformed JSON body, trying again`);
        await this.opts.sleep(backoffDelay(attempt, this.opts.random), req.signal);
      }
    }
  }

  private httpError(reply: Reply): Error {
    const apiMessage = errorMessageOf(reply.body);
    const what =
      apiMessage !== undefined
        ? `${this.excerpt(apiMessage, 200) ?? WITHHELD} (HTTP ${reply.status}, ${reply.endpoint})`
        : `HTTP ${reply.status} from ${this.host} for ${reply.endpoint} (${this.describeBody(reply)})`;
    if (reply.status === 401) {
      return new AuthError(`the API refused the token: ${what}; it may be expired or revoked: run \`border0 login\``);
    }
    if (reply.status === 403) return new AuthError(`not allowed: ${what}; an admin token is needed`);
    if (reply.status === 404) return new NotFoundError(`not found: ${what}`, { apiAnswer: apiMessage !== undefined });
    return new ApiError(`Border0 API error: ${what}`, reply.status);
  }

  private describeBody(reply: Pick<Reply, 'body' | 'headers'>): string {
    const text = reply.body.toString('utf8', 0, SCRUB_WINDOW).trim();
    if (text === '') return 'empty body';
    const type = String(reply.headers['content-type'] ?? '');
    if (/html/i.test(type) || /^<(!doctype|html|head|body)/i.test(text)) return 'not JSON: an HTML page';
    const shown = this.excerpt(text, 60);
    return shown === undefined ? `not JSON: ${WITHHELD}` : `not JSON: "${shown}"`;
  }

  /**
   * Text from (or about) the server's answer as it may appear in a message: every form of
   * the token cut out, one line, inert, clipped. Undefined when what would be shown still
   * holds part of the token: then nothing of it is shown.
   */
  private excerpt(text: string, max: number): string | undefined {
    // Raw (one line): messages are made inert once, where they are printed.
    const shown = clip(this.redact.scrub(text.slice(0, SCRUB_WINDOW)).replace(/\s+/g, ' ').trim(), max);
    return this.redact.holdsPart(shown) ? undefined : shown;
  }
}

/** How much of a body is searched for the token before an excerpt of it is shown. */
const SCRUB_WINDOW = 64 * 1024;
const WITHHELD = '[withheld: it holds part of the token]';

/** The body, counted as it streams in: a body over `max` bytes is refused without being held. */
async function readBody(res: Dispatcher.ResponseData, max: number, tooLarge: () => Error): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (declared > max) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the body, which closes the connection.
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function sizeText(bytes: number): string {
  const MiB = 1024 * 1024;
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes.toLocaleString('en-US')} bytes`;
}

function queryString(query: SendRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function withAttempts<E extends Error>(err: E, attempt: number): E {
  if (attempt > 0) err.message += ` (after ${attempt + 1} attempts)`;
  return err;
}

/** The API's own message (`error_message`, else `message`), as the server wrote it. */
function errorMessageOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error_message?: unknown; message?: unknown } | null;
    const msg = parsed?.error_message ?? parsed?.message;
    return typeof msg === 'string' && msg.trim() ? msg : undefined;
  } catch {
    return undefined;
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The response (its headers, or then its whole body) did not arrive within --timeout. */
class Deadline extends Error {
  readonly code: string;
  constructor(readonly stage: 'headers' | 'body') {
    super(`--timeout reached while waiting for the response ${stage}`);
    this.code = stage === 'headers' ? 'UND_ERR_HEADERS_TIMEOUT' : 'UND_ERR_BODY_TIMEOUT';
  }
}

const TLS_CODES = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO/;

function networkError(err: unknown, base: URL, timeoutMs: number, shown: (text: string) => string): NetworkError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  const host = base.host;
  const seconds = `${timeoutMs / 1000} s`;
  let what: string;
  switch (code) {
    case 'ENOTFOUND':
      what = `cannot resolve ${base.hostname} (DNS lookup failed): check --api-url / BORDER0_API and the network`;
      break;
    case 'EAI_AGAIN':
      what = `DNS lookup of ${base.hostname} failed for now (temporary resolver failure)`;
      break;
    case 'ECONNREFUSED':
      what = `connection refused by ${host}: nothing is listening there (check --api-url / BORDER0_API)`;
      break;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      what = `the connection to ${host} was closed before the response was complete`;
      break;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      what = `could not connect to ${host} within ${seconds} (--timeout)`;
      break;
    case 'UND_ERR_HEADERS_TIMEOUT':
      what = `${host} did not answer within ${seconds} (--timeout)`;
      break;
    case 'UND_ERR_BODY_TIMEOUT':
      what = `${host} did not send the whole response within ${seconds} (--timeout)`;
      break;
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      what = `the response from ${host} was cut off (shorter than its Content-Length)`;
      break;
    default:
      what =
        code && TLS_CODES.test(code)
          ? `TLS failure talking to ${host} (${code}): if a proxy re-signs TLS, point NODE_EXTRA_CA_CERTS at its CA certificate`
          : `request to ${host} failed: ${shown(e.message || String(err))}${code ? ` (${code})` : ''}`;
  }
  return new NetworkError(what, code, { cause: err });
}
