// The Border0 session-log endpoints, typed. Every method returns the server's own
// objects (for JSON output) after checking their shape.
import { ApiError, NotFoundError } from '../errors';
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
    const { value, endpoint } = await this.http
      .json({
        method: 'GET',
        segments: ['sessions'],
        query: { page: q.page, page_size: q.pageSize, ...filterQuery(q) },
        signal,
      })
      .catch((err: unknown) => {
        // The list itself cannot be missing: a 404 that is not the API's own error answer
        // (a proxy's HTML page, an empty body) means the URL points somewhere else.
        if (err instanceof NotFoundError && !err.apiAnswer) {
          throw new ApiError(`${err.message.replace(/^not found: /, '')}: is ${this.baseUrl} the Border0 API? check --api-url or BORDER0_API (it ends in /api/v1)`, 404, { cause: err });
        }
        throw err;
      });
    return parseSessionPage(value, endpoint);
  }

  async getSession(socketId: string, sessionId: string, signal?: AbortSignal): Promise<Session> {
    const { value, endpoint } = await this.http.json({ method: 'GET', segments: ['session', id('socket', socketId), id('session', sessionId)], signal });
    return parseSession(value, endpoint);
  }

  /** PUT is idempotent here (killing a killed session changes nothing), so it is retried too. */
  async killSession(socketId: string, sessionId: string, signal?: AbortSignal): Promise<Session> {
    const { value, endpoint } = await this.http.json({
      method: 'PUT',
      segments: ['session', id('socket', socketId), id('session', sessionId)],
      body: { killed: true },
      signal,
    });
    return parseSession(value, endpoint);
  }

  /** Session counts per location, socket or user (GET /sessions/stats/{kind}), as the API sent them. */
  async sessionStats(kind: StatsKind, filters: ListFilters, signal?: AbortSignal): Promise<unknown> {
    const { value } = await this.http.json({ method: 'GET', segments: ['sessions', 'stats', kind], query: filterQuery(filters), signal });
    return value;
  }

  /** The recording exactly as the API sent it (bytes and content type). */
  sessionLog(socketId: string, sessionId: string, recordingId: string | undefined, signal?: AbortSignal): Promise<Reply> {
    return this.http.send({
      method: 'GET',
      segments: ['session', id('socket', socketId), id('session', sessionId), 'session_log'],
      query: { recording_id: recordingId },
      signal,
      maxBytes: MAX_RECORDING_BYTES,
    });
  }
}
