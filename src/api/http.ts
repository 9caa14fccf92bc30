// The one HTTP client: every call goes through `send`, which adds the token and
// User-Agent, applies timeouts, retries idempotent calls on transient failures, and
// turns every failure into a typed error with one readable line.
import type { Dispatcher } from 'undici';
import undiciRequest from 'undici/lib/api/api-request';
import { ApiError, AuthError, CancelledError, NetworkError, NotFoundError } from '../errors';
import { inlineText } from '../output/sanitize';
import type { Limiter } from './limiter';
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
}

export interface SendRequest {
  method: 'GET' | 'PUT';
  /** Path segments below the base URL; each one is percent-encoded. */
  segments: readonly string[];
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

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

  constructor(private readonly opts: HttpOptions) {
    this.host = opts.baseUrl.host;
    this.baseUrl = opts.baseUrl.href;
  }

  async send(req: SendRequest): Promise<Reply> {
    const { opts } = this;
    const path = `${opts.baseUrl.pathname}/${req.segments.map(encodeURIComponent).join('/')}${queryString(req.query)}`;
    const endpoint = `${req.method} /${req.segments.join('/')}`;
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
      // undici's own timeouts tick in half-second steps; this one is exact. It covers the
      // wait for the response headers; undici's bodyTimeout covers each gap in the body.
      const thisTry = new AbortController();
      const cancel = () => thisTry.abort(req.signal?.reason);
      req.signal?.addEventListener('abort', cancel, { once: true });
      const deadline = setTimeout(() => thisTry.abort(new HeadersDeadline()), opts.timeoutMs);
      let reply: Reply;
      try {
        const res = await undiciRequest.call(opts.dispatcher, {
          origin: opts.baseUrl.origin,
          path,
          method: req.method,
          headers,
          body,
          signal: thisTry.signal,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        });
        clearTimeout(deadline);
        reply = { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()), endpoint };
      } catch (err) {
        opts.limiter.release();
        if (req.signal?.aborted) throw req.signal.reason ?? new CancelledError('interrupted');
        const cause = thisTry.signal.reason instanceof HeadersDeadline ? thisTry.signal.reason : err;
        const failure = networkError(cause, opts.baseUrl, opts.timeoutMs);
        opts.trace?.(`${req.method} ${path} → ${failure.code ?? 'error'} after ${opts.now() - started} ms (attempt ${attempt + 1})`);
        if (last || !RETRYABLE_CODES.has(failure.code ?? '')) throw withAttempts(failure, attempt);
        await opts.sleep(backoffDelay(attempt, opts.random), req.signal);
        continue;
      } finally {
        clearTimeout(deadline);
        req.signal?.removeEventListener('abort', cancel);
      }
      opts.limiter.release();
      opts.trace?.(`${req.method} ${path} → ${reply.status} (${reply.body.length} bytes, ${opts.now() - started} ms, attempt ${attempt + 1})`);

      if (reply.status >= 200 && reply.status < 300) {
        opts.limiter.succeeded();
        return reply;
      }
      if (last || !RETRYABLE_STATUS.has(reply.status)) throw withAttempts(httpError(reply, this.host, opts.token), attempt);
      const retryAfter = parseRetryAfter(reply.headers['retry-after'], opts.now());
      if (reply.status === 429) {
        // Everyone waits, not just this request: the limiter pauses the whole run.
        opts.limiter.rateLimited(retryAfter ?? backoffDelay(attempt + 2, opts.random));
      } else {
        await opts.sleep(retryAfter ?? backoffDelay(attempt, opts.random), req.signal);
      }
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
          throw new ApiError(
            `the response to ${reply.endpoint} is not valid JSON (${inlineText((err as Error).message)}): ${describeBody(reply, this.opts.token)}`,
            reply.status,
          );
        }
        this.opts.trace?.(`${reply.endpoint}: malformed JSON body, trying again`);
        await this.opts.sleep(backoffDelay(attempt, this.opts.random), req.signal);
      }
    }
  }
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

function httpError(reply: Reply, host: string, token: string): Error {
  const apiMessage = errorMessageOf(bodyText(reply, token));
  const what = apiMessage
    ? `${apiMessage} (HTTP ${reply.status}, ${reply.endpoint})`
    : `HTTP ${reply.status} from ${host} for ${reply.endpoint} (${describeBody(reply, token)})`;
  if (reply.status === 401) {
    return new AuthError(`the API refused the token: ${what}; it may be expired or revoked: run \`border0 login\``);
  }
  if (reply.status === 403) return new AuthError(`not allowed: ${what}; an admin token is needed`);
  if (reply.status === 404) return new NotFoundError(`not found: ${what}`, { apiAnswer: apiMessage !== undefined });
  return new ApiError(`Border0 API error: ${what}`, reply.status);
}

/** The API's own message (`error_message`, else `message`), sanitised and kept to one line. */
function errorMessageOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error_message?: unknown; message?: unknown } | null;
    const msg = parsed?.error_message ?? parsed?.message;
    return typeof msg === 'string' && msg.trim() ? clip(inlineText(msg.trim()), 200) : undefined;
  } catch {
    return undefined;
  }
}

/** The body as text, with the token cut out: proxies that echo request headers exist. */
function bodyText(reply: Pick<Reply, 'body'>, token: string): string {
  const text = reply.body.toString('utf8');
  return token ? text.split(token).join('[token]') : text;
}

export function describeBody(reply: Pick<Reply, 'body' | 'headers'>, token: string): string {
  const text = bodyText(reply, token).trim();
  if (text === '') return 'empty body';
  const type = String(reply.headers['content-type'] ?? '');
  if (/html/i.test(type) || /^<(!doctype|html|head|body)/i.test(text)) return 'not JSON: an HTML page';
  return `not JSON: "${clip(inlineText(text), 60)}"`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The response headers did not arrive within --timeout. */
class HeadersDeadline extends Error {
  readonly code = 'UND_ERR_HEADERS_TIMEOUT';
}

const TLS_CODES = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO/;

function networkError(err: unknown, base: URL, timeoutMs: number): NetworkError {
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
    case 'UND_ERR_BODY_TIMEOUT':
      what = `${host} did not answer within ${seconds} (--timeout)`;
      break;
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      what = `the response from ${host} was cut off (shorter than its Content-Length)`;
      break;
    default:
      what =
        code && TLS_CODES.test(code)
          ? `TLS failure talking to ${host} (${code}): if a proxy re-signs TLS, point NODE_EXTRA_CA_CERTS at its CA certificate`
          : `request to ${host} failed: ${inlineText(e.message || String(err))}${code ? ` (${code})` : ''}`;
  }
  return new NetworkError(what, code, { cause: err });
}
