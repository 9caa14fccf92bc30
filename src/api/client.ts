// The Border0 session-log endpoints, typed. Every method returns the server's own
// objects (for JSON output) after checking their shape.
import { ApiError, NotFoundError, NotTheApiError } from '../errors';
import { Http, MAX_RECORDING_BYTES, type Reply } from './http';
import { parseSession, parseSessionPage, type ParsedPage } from './parse';
import type { Session, StatsKind } from './types';

import { filterQuery } from './filter-query';

export interface ListFilters {
  sockets?: readonly string[];
  users?: readonly string[];
  result?: 'success' | 'denied';
  /** Hints only: the server may ignore them, so the caller filters too. RFC 3339. */
  startAfter?: string;
  startBefore?: string;
  /** Hint: only finished (true) or only live (false) sessions, as Border0's own session logger asks. */
  finished?: boolean;
}

export interface PageQuery extends ListFilters {
  page: number;
  pageSize: number;
}

/**
 * An ID that goes into a request path. IDs often come from the server (a lookup by
 * short ID, a list piped into kill): one such as `..` or `a/b` would reach another
 * endpoint. Border0's IDs are UUIDs; anything outside this charset is refused.
 */
function id(what: string, value: string): string {
  if (!/^[0-9A-Za-z][0-9A-Za-z._~-]{0,127}$/.test(value)) {
    throw new ApiError(`the ${what} ID "${value.slice(0, 80)}" cannot be part of a request (the API sent it, or it is mistyped)`);
  }
  return value;
}

export class Border0Client {
  constructor(readonly http: Http) {}

  /** The API base URL, to tell apart what is remembered about different APIs. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async listSessions(q: PageQuery, signal?: AbortSignal): Promise<ParsedPage> {
    const { value, endpoint } = await this.fromTheApi(
      this.http.json({
        method: 'GET',
        segments: ['sessions'],
        query: { page: q.page, page_size: q.pageSize, ...filterQuery(q) },
        signal,
      }),
      'the list',
      signal,
    );
    return parseSessionPage(value, endpoint);
  }

  async getSession(socketId: string, sessionId: string, signal?: AbortSignal): Promise<Session> {
    const { value, endpoint } = await this.fromTheApi(this.http.json({ method: 'GET', segments: ['session', id('socket', socketId), id('session', sessionId)], signal }), 'one', signal);
    return parseSession(value, endpoint);
  }

  /** PUT is idempotent here (killing a killed session changes nothing), so it is retried too. */
  async killSession(socketId: string, sessionId: string, signal?: AbortSignal): Promise<Session> {
    const { value, endpoint } = await this.fromTheApi(
      this.http.json({
        method: 'PUT',
        segments: ['session', id('socket', socketId), id('session', sessionId)],
        body: { killed: true },
        signal,
      }),
      'one',
      signal,
    );
    return parseSession(value, endpoint);
  }

  /** Session counts per location, socket or user (GET /sessions/stats/{kind}), as the API sent them. */
  async sessionStats(kind: StatsKind, filters: ListFilters, signal?: AbortSignal): Promise<unknown> {
    const { value } = await this.fromTheApi(this.http.json({ method: 'GET', segments: ['sessions', 'stats', kind], query: filterQuery(filters), signal }), 'one', signal);
    return value;
  }

  /** The recording exactly as the API sent it (bytes and content type). */
  sessionLog(socketId: string, sessionId: string, recordingId: string | undefined, signal?: AbortSignal): Promise<Reply> {
    return this.fromTheApi(
      this.http.send({
        method: 'GET',
        segments: ['session', id('socket', socketId), id('session', sessionId), 'session_log'],
        query: { recording_id: recordingId },
        signal,
        maxBytes: MAX_RECORDING_BYTES,
      }),
      'one',
      signal,
    );
  }

  /**
   * The API says what is missing in its own error answer (JSON with an error message). A
   * 404 without one (a web server's "404 page not found", a proxy's HTML page, an empty
   * body) may mean that the URL points somewhere else: that is a failure (exit 1) with
   * the hint, not a missing session (exit 4), which a script would take for a session
   * already gone. The list itself cannot be missing; for anything else, the list tells:
   * when it answers, the URL is right and the thing asked for is missing.
   */
  private fromTheApi<T>(request: Promise<T>, what: 'the list' | 'one', signal: AbortSignal | undefined): Promise<T> {
    return request.then(
      (value) => {
        if (what === 'the list') this.listAnswers ??= Promise.resolve(true);
        return value;
      },
      async (err: unknown) => {
        if (err instanceof NotFoundError && !err.apiAnswer && (what === 'the list' || !(await this.listAnswersAt(signal)))) {
          throw new NotTheApiError(`${err.message.replace(/^not found: /, '')}: is ${this.baseUrl} the Border0 API? check --api-url or BORDER0_API (it ends in /api/v1)`, 404, { cause: err });
        }
        throw err;
      },
    );
  }

  /** Whether the list answers at this URL: asked once a run. When asking fails (a refused token, no connection), that failure is the one reported. */
  private listAnswers: Promise<boolean> | undefined;

  private listAnswersAt(signal: AbortSignal | undefined): Promise<boolean> {
    this.listAnswers ??= this.http.json({ method: 'GET', segments: ['sessions'], query: { page: 1, page_size: 1 }, signal }).then(
      () => true,
      (err: unknown) => {
        // The list cannot be missing: a 404 for it, whatever its body, says the URL is wrong.
        if (err instanceof NotFoundError) return false;
        throw err;
      },
    );
    return this.listAnswers;
  }
}
