// The simulator's knobs, their defaults, and the checks shared by startSimulator,
// setOptions and the b0s-sim command line.

import { parsePageQuirks } from './quirks';
import { LOG_ENCODINGS, type LogEncoding } from './recordings';

export type { LogEncoding };
export type LastNextPage = 'zero' | 'null' | 'missing';
export const LAST_NEXT_PAGE: readonly LastNextPage[] = ['zero', 'null', 'missing'];
export type PaginationMode = 'full' | 'no-totals' | 'none';
export const PAGINATION_MODES: readonly PaginationMode[] = ['full', 'no-totals', 'none'];

export interface SimOptions {
  /** Default 0: any free port. */
  port?: number;
  host?: string;
  sessions?: number;
  /** Same seed and same `now` give identical data. */
  seed?: number;
  /** ms epoch the data is generated relative to; default Date.now() at start. */
  now?: number;
  /** The accepted admin token; default SIM_TOKEN. */
  token?: string;
  /** A recognised token without admin rights: 403 on every call. Default SIM_FORBIDDEN_TOKEN. */
  forbiddenToken?: string;
  latencyMs?: number;
  maxPageSize?: number;
  defaultPageSize?: number;
  /** What pagination.next_page holds on the last page (the real API's choice is unknown). */
  lastNextPage?: LastNextPage;
  /** New sessions appearing at the head before each GET /sessions is answered. */
  arrivalsPerListRequest?: number;
  /** The oldest sessions removed from the store before each GET /sessions is answered. */
  ageOutPerListRequest?: number;
  /** Sessions that arrive end by themselves this many seconds after they start; default: never. */
  liveForSeconds?: number;
  /** Generated sessions share start times in consecutive groups of this size; default 1. */
  tieGroup?: number;
  /** Each GET /sessions answer orders sessions that share a start time its own way. */
  shuffleTies?: boolean;
  /** total_records/total_pages as they stood this many list requests earlier. */
  totalLag?: number;
  /** Buggy pages: short:P:K, empty:P, long:P:K, ignore-size[:S], ignore-page, same-id. */
  pageQuirks?: string;
  /** Which pagination fields list answers carry. */
  pagination?: PaginationMode;
  /** Apply start_date_after / start_date_before / finished (unverified on the real API). */
  honourTimeFilters?: boolean;
  logEncoding?: LogEncoding;
  /** Fault spec: KIND[:RATE][@FROM[-TO]],... */
  faults?: string;
  retryAfterSeconds?: number;
  slowMs?: number;
  /** Don't report unhandled routes on stderr (for tests that provoke them). */
  quiet?: boolean;
  /** Called once per request after it is answered (b0s-sim --verbose logs with it). */
  onRequest?: (request: SimRequest) => void;
}

export interface SimRequest {
  /** 1-based, in arrival order since start. */
  n: number;
  method: string;
  /** The path as sent, before URL-decoding, without the query string. */
  path: string;
  /** First value of each query parameter, as the server reads them. */
  query: Record<string, string>;
  /** 0 when the connection was reset without an answer. */
  status: number;
  fault?: string;
  auth: 'valid' | 'invalid' | 'missing' | 'forbidden';
  userAgent?: string;
  body?: string;
}

export type MutableOptionKey =
  | 'latencyMs'
  | 'maxPageSize'
  | 'lastNextPage'
  | 'arrivalsPerListRequest'
  | 'ageOutPerListRequest'
  | 'shuffleTies'
  | 'totalLag'
  | 'pageQuirks'
  | 'pagination'
  | 'honourTimeFilters'
  | 'logEncoding'
  | 'retryAfterSeconds'
  | 'slowMs';

export type MutableOptions = Required<Pick<SimOptions, MutableOptionKey>> & { defaultPageSize: number };

export const DEFAULTS: MutableOptions & { sessions: number; seed: number; tieGroup: number } = {
  sessions: 2500,
  seed: 1,
  tieGroup: 1,
  latencyMs: 0,
  maxPageSize: 1000,
  defaultPageSize: 10,
  lastNextPage: 'zero',
  arrivalsPerListRequest: 0,
  ageOutPerListRequest: 0,
  shuffleTies: false,
  totalLag: 0,
  pageQuirks: '',
  pagination: 'full',
  honourTimeFilters: false,
  logEncoding: 'json-string',
  retryAfterSeconds: 1,
  slowMs: 5000,
};

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Throws an Error naming the first bad option. */
export function validateOptions(o: Partial<SimOptions>): void {
  if (o.port !== undefined) check(isInt(o.port, 0) && o.port <= 65535, `invalid port: ${o.port}`);
  if (o.sessions !== undefined) check(isInt(o.sessions, 0) && o.sessions < 2 ** 31, `invalid sessions: ${o.sessions}`);
  if (o.seed !== undefined) check(Number.isFinite(o.seed), `invalid seed: ${o.seed}`);
  if (o.now !== undefined) check(Number.isFinite(o.now) && o.now > 0, `invalid now: ${o.now}`);
  if (o.token !== undefined) check(o.token !== '', 'token must not be empty');
  if (o.latencyMs !== undefined) check(isInt(o.latencyMs, 0), `invalid latencyMs: ${o.latencyMs}`);
  if (o.maxPageSize !== undefined) check(isInt(o.maxPageSize, 1), `invalid maxPageSize: ${o.maxPageSize}`);
  if (o.defaultPageSize !== undefined) check(isInt(o.defaultPageSize, 1), `invalid defaultPageSize: ${o.defaultPageSize}`);
  if (o.lastNextPage !== undefined) check(LAST_NEXT_PAGE.includes(o.lastNextPage), `invalid lastNextPage: ${o.lastNextPage} (zero, null or missing)`);
  if (o.arrivalsPerListRequest !== undefined) check(isInt(o.arrivalsPerListRequest, 0), `invalid arrivalsPerListRequest: ${o.arrivalsPerListRequest}`);
  if (o.ageOutPerListRequest !== undefined) check(isInt(o.ageOutPerListRequest, 0), `invalid ageOutPerListRequest: ${o.ageOutPerListRequest}`);
  if (o.liveForSeconds !== undefined) check(isInt(o.liveForSeconds, 1), `invalid liveForSeconds: ${o.liveForSeconds} (an integer >= 1)`);
  if (o.tieGroup !== undefined) check(isInt(o.tieGroup, 1) && o.tieGroup < 2 ** 31, `invalid tieGroup: ${o.tieGroup} (an integer >= 1)`);
  if (o.shuffleTies !== undefined) check(typeof o.shuffleTies === 'boolean', `invalid shuffleTies: ${o.shuffleTies}`);
  if (o.totalLag !== undefined) check(isInt(o.totalLag, 0), `invalid totalLag: ${o.totalLag}`);
  if (o.pageQuirks !== undefined) {
    check(typeof o.pageQuirks === 'string', `invalid pageQuirks: ${o.pageQuirks}`);
    parsePageQuirks(o.pageQuirks);
  }
  if (o.pagination !== undefined) check(PAGINATION_MODES.includes(o.pagination), `invalid pagination: ${o.pagination} (${PAGINATION_MODES.join(', ')})`);
  if (o.logEncoding !== undefined) check(LOG_ENCODINGS.includes(o.logEncoding), `invalid logEncoding: ${o.logEncoding} (${LOG_ENCODINGS.join(', ')})`);
  if (o.retryAfterSeconds !== undefined) check(isInt(o.retryAfterSeconds, 0), `invalid retryAfterSeconds: ${o.retryAfterSeconds}`);
  if (o.slowMs !== undefined) check(isInt(o.slowMs, 0), `invalid slowMs: ${o.slowMs}`);
}
