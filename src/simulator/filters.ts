// Query filters shared by GET /sessions and GET /sessions/stats/*. Parsing is strict where
// the API is known to be strict (auth_result) so a client that sends a wrong value finds
// out in tests rather than against the real server.

export interface Filters {
  socketNames?: ReadonlySet<string>;
  userEmails?: ReadonlySet<string>;
  result?: 'success' | 'denied';
  /** Inclusive bounds on start_time, ms epoch; only when the simulator honours time filters. */
  after?: number;
  before?: number;
  finished?: boolean;
}

export class FilterError extends Error {}

// Go's url.Values.Get semantics: a repeated parameter counts once, by its first value,
// and an empty value is the same as an absent one.
function first(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

function list(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length > 0 ? new Set(items) : undefined;
}

function time(query: URLSearchParams, name: string): number | undefined {
  const value = first(query, name);
  if (value === undefined) return undefined;
  // RFC 3339 only: Date.parse alone would also take "March 3" or a bare number.
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new FilterError(`invalid ${name}: expected an RFC 3339 time`);
  return ms;
}

export function parseFilters(query: URLSearchParams, honourTimeFilters: boolean): Filters {
  const filters: Filters = {};
  const sockets = list(first(query, 'socket_names'));
  if (sockets) filters.socketNames = sockets;
  const users = list(first(query, 'user_emails'));
  if (users) filters.userEmails = users;
  const result = first(query, 'auth_result');
  if (result !== undefined) {
    if (result !== 'success' && result !== 'denied') {
      throw new FilterError('invalid auth_result: must be success or denied');
    }
    filters.result = result;
  }
  if (honourTimeFilters) {
    const after = time(query, 'start_date_after');
    if (after !== undefined) filters.after = after;
    const before = time(query, 'start_date_before');
    if (before !== undefined) filters.before = before;
    const finished = first(query, 'finished');
    if (finished !== undefined) {
      if (finished !== 'true' && finished !== 'false') throw new FilterError('invalid finished: must be true or false');
      filters.finished = finished === 'true';
    }
  }
  return filters;
}

export function isUnfiltered(f: Filters): boolean {
  return (
    f.socketNames === undefined &&
    f.userEmails === undefined &&
    f.result === undefined &&
    f.after === undefined &&
    f.before === undefined &&
    f.finished === undefined
  );
}

/** A canonical string per filter combination: the key of the filtered-index cache. */
export function filterKey(f: Filters): string {
  return JSON.stringify([
    f.socketNames ? [...f.socketNames].sort() : null,
    f.userEmails ? [...f.userEmails].sort() : null,
    f.result ?? null,
    f.after ?? null,
    f.before ?? null,
    f.finished ?? null,
  ]);
}
