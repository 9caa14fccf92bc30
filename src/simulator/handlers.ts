// The API's behaviour per endpoint, once the request is known to be authorised.

import type { Pagination } from '../api/types';
import type { Ref, SessionStore } from './data';
import { FilterError, parseFilters, type Filters } from './filters';
import type { MutableOptions } from './options';
import { parsePageQuirks } from './quirks';
import { encodeLog } from './recordings';
import { apiError, json, type Reply } from './reply';
import { Salt } from './rng';
import type { Route } from './routes';
import { slice } from './ties';

export interface HandlerContext {
  store: SessionStore;
  options: MutableOptions;
  seed: number;
  /** The request's number since start (SimRequest.n). */
  requestNo: number;
  /** Its number among list requests; 0 for other routes. */
  listNo: number;
}

type Handled = Exclude<Route, { name: 'unhandled' }>;

class BadRequest extends Error {}

function param(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

function positiveInt(query: URLSearchParams, name: string): number | undefined {
  const value = param(query, name);
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1)) throw new BadRequest(`invalid ${name}: must be a positive integer`);
  return n;
}

function filters(query: URLSearchParams, ctx: HandlerContext): Filters {
  try {
    return parseFilters(query, ctx.options.honourTimeFilters);
  } catch (err) {
    if (err instanceof FilterError) throw new BadRequest(err.message);
    throw err;
  }
}

function list(query: URLSearchParams, ctx: HandlerContext): Reply {
  const { options, store } = ctx;
  const quirks = parsePageQuirks(options.pageQuirks);
  const asked = positiveInt(query, 'page') ?? 1;
  const requested = positiveInt(query, 'page_size') ?? options.defaultPageSize;
  const view = store.view(filters(query, ctx));
  const page = quirks.ignorePage ? 1 : asked;
  const size =
    quirks.pageSize === 'default' ? options.defaultPageSize : (quirks.pageSize ?? Math.min(requested, options.maxPageSize));
  const totalPages = Math.ceil(view.length / size);
  const first = (page - 1) * size;
  const honest = Math.max(0, Math.min(size, view.length - first));
  // A quirky page serves other sessions but keeps the pagination object of the honest one.
  const rule = quirks.pages.get(page);
  const served = !rule ? honest : rule.kind === 'empty' ? 0 : rule.kind === 'short' ? Math.min(rule.count, honest) : rule.count;
  const shuffleKey = options.shuffleTies ? [ctx.seed, Salt.ties, ctx.requestNo] : undefined;
  const refs = slice(view, first, first + served, (ref) => store.startOf(ref), shuffleKey);
  const sameId = quirks.sameId && view.length > 0 ? store.sessionId(view.at(0)) : undefined;
  const logs = refs.map((ref) => {
    const session = store.session(ref, 'list');
    if (sameId !== undefined) session.session_id = sameId;
    return session;
  });
  // A stale count cache: the totals as they stood some list requests ago.
  const totalRecords = options.totalLag > 0 ? view.lengthAsOf(ctx.listNo - options.totalLag) : view.length;
  const pagination: Pagination = {
    actual_page_size: honest,
    current_page: page,
    next_page: 0,
    records_per_page: size,
    total_pages: Math.ceil(totalRecords / size),
    total_records: totalRecords,
  };
  if (page < totalPages) pagination.next_page = page + 1;
  else if (options.lastNextPage === 'null') pagination.next_page = null;
  else if (options.lastNextPage === 'missing') delete pagination.next_page;
  if (options.pagination === 'none') return json(200, { session_logs: logs });
  if (options.pagination === 'no-totals') {
    delete pagination.total_pages;
    delete pagination.total_records;
  }
  return json(200, { pagination, session_logs: logs });
}

const sessionNotFound = (): Reply => apiError(404, 'session not found');

/** The session a path names; undefined when unknown or when it belongs to another socket. */
function lookup(route: { socketId: string; sessionId: string }, ctx: HandlerContext): Ref | undefined {
  const socket = ctx.store.socketIndex(route.socketId);
  const ref = ctx.store.findById(route.sessionId);
  if (socket === undefined || ref === undefined || ctx.store.socketOf(ref) !== socket) return undefined;
  return ref;
}

function kill(route: { socketId: string; sessionId: string }, body: string, ctx: HandlerContext): Reply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { killed?: unknown }).killed !== true) {
    throw new BadRequest('invalid request body: expected {"killed": true}');
  }
  const ref = lookup(route, ctx);
  if (ref === undefined) return sessionNotFound();
  // Killing a session that already ended changes nothing and is not an error.
  ctx.store.kill(ref);
  return json(200, ctx.store.session(ref, 'detail'));
}

function log(route: { socketId: string; sessionId: string }, query: URLSearchParams, ctx: HandlerContext): Reply {
  const ref = lookup(route, ctx);
  if (ref === undefined) return sessionNotFound();
  const format = param(query, 'format');
  if (format !== undefined && format !== 'text') throw new BadRequest(`invalid format: ${format}`);
  const content = ctx.store.recording(ref, param(query, 'recording_id'));
  if (content === 'none') return apiError(404, 'session has no recordings');
  if (content === undefined) return apiError(404, 'recording not found');
  const encoded = encodeLog(content, ctx.options.logEncoding, format === 'text' && content.kind === 'asciicast');
  return { status: 200, headers: { 'content-type': encoded.contentType }, body: encoded.body };
}

export function handle(route: Handled, query: URLSearchParams, body: string, ctx: HandlerContext): Reply {
  try {
    switch (route.name) {
      case 'list':
        return list(query, ctx);
      case 'stats':
        return json(200, ctx.store.stats(route.kind, filters(query, ctx)));
      case 'socket': {
        const socket = ctx.store.socketIndex(route.socketId);
        if (socket === undefined) return apiError(404, 'socket not found');
        return json(200, ctx.store.socketSessions(socket).map((ref) => ctx.store.session(ref, 'detail')));
      }
      case 'session': {
        const ref = lookup(route, ctx);
        return ref === undefined ? sessionNotFound() : json(200, ctx.store.session(ref, 'detail'));
      }
      case 'kill':
        return kill(route, body, ctx);
      case 'log':
        return log(route, query, ctx);
    }
  } catch (err) {
    if (err instanceof BadRequest) return apiError(400, err.message);
    throw err;
  }
}
