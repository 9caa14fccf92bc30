// b0s's fake Border0 API: a real HTTP server on 127.0.0.1, used in-process by the tests,
// as the b0s-sim command, and by the benchmarks.

import type { Session } from '../api/types';
import { SIM_FORBIDDEN_TOKEN, SIM_TOKEN } from './auth';
import { SessionStore } from './data';
import { parseFaults } from './faults';
import { DEFAULTS, validateOptions, type MutableOptionKey, type MutableOptions, type SimOptions, type SimRequest } from './options';
import { SimServer } from './server';

export { SIM_FORBIDDEN_TOKEN, SIM_TOKEN } from './auth';
export { FAULT_KINDS, parseFaults, type FaultKind, type FaultRule } from './faults';
export type { LastNextPage, LogEncoding, PaginationMode, SimOptions, SimRequest } from './options';
export { parsePageQuirks } from './quirks';

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:PORT/api/v1 */
  url: string;
  port: number;
  token: string;
  /** Every request, in arrival order; never the token. */
  requests: SimRequest[];
  /** Requests to routes the simulator does not implement. */
  unhandled: SimRequest[];
  /** n new sessions at the head, returned newest first. */
  addSessions(n: number): Session[];
  /** The n oldest sessions are gone (as ageing out does); returns how many there were. */
  removeOldest(n: number): number;
  /** Sessions that exist now: generated + arrived - removed. */
  sessionCount(): number;
  /** How many sessions ageing out (or removeOldest) has removed so far. */
  removedCount(): number;
  /** Index 0 = newest, in the list form, in stable order (ties unshuffled). */
  sessionAt(index: number): Session;
  setFaults(spec: string): void;
  setOptions(patch: Partial<Pick<SimOptions, MutableOptionKey>>): void;
  resetRequests(): void;
  close(): Promise<void>;
}

const MUTABLE: ReadonlySet<string> = new Set<MutableOptionKey>([
  'latencyMs',
  'maxPageSize',
  'lastNextPage',
  'arrivalsPerListRequest',
  'ageOutPerListRequest',
  'shuffleTies',
  'totalLag',
  'pageQuirks',
  'pagination',
  'honourTimeFilters',
  'logEncoding',
  'retryAfterSeconds',
  'slowMs',
]);

export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  validateOptions(opts);
  const seed = opts.seed ?? DEFAULTS.seed;
  const now = opts.now ?? Date.now();
  const startedAt = Date.now();
  const token = opts.token ?? SIM_TOKEN;
  const faults = opts.faults ?? '';
  parseFaults(faults);

  const options: MutableOptions = {
    latencyMs: opts.latencyMs ?? DEFAULTS.latencyMs,
    maxPageSize: opts.maxPageSize ?? DEFAULTS.maxPageSize,
    defaultPageSize: opts.defaultPageSize ?? DEFAULTS.defaultPageSize,
    lastNextPage: opts.lastNextPage ?? DEFAULTS.lastNextPage,
    arrivalsPerListRequest: opts.arrivalsPerListRequest ?? DEFAULTS.arrivalsPerListRequest,
    ageOutPerListRequest: opts.ageOutPerListRequest ?? DEFAULTS.ageOutPerListRequest,
    shuffleTies: opts.shuffleTies ?? DEFAULTS.shuffleTies,
    totalLag: opts.totalLag ?? DEFAULTS.totalLag,
    pageQuirks: opts.pageQuirks ?? DEFAULTS.pageQuirks,
    pagination: opts.pagination ?? DEFAULTS.pagination,
    honourTimeFilters: opts.honourTimeFilters ?? DEFAULTS.honourTimeFilters,
    logEncoding: opts.logEncoding ?? DEFAULTS.logEncoding,
    retryAfterSeconds: opts.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
    slowMs: opts.slowMs ?? DEFAULTS.slowMs,
  };
  // The data's clock starts at `now` and runs at wall speed, so kills and arrivals
  // happen after every generated session even when a test pins `now` in the past.
  const store = new SessionStore({
    seed,
    now,
    sessions: opts.sessions ?? DEFAULTS.sessions,
    tieGroup: opts.tieGroup ?? DEFAULTS.tieGroup,
    liveForSeconds: opts.liveForSeconds,
    clock: () => now + (Date.now() - startedAt),
  });
  const server = new SimServer(
    store,
    options,
    {
      seed,
      token,
      forbiddenToken: opts.forbiddenToken ?? (token === SIM_FORBIDDEN_TOKEN ? undefined : SIM_FORBIDDEN_TOKEN),
      quiet: opts.quiet ?? false,
      onRequest: opts.onRequest,
    },
    faults,
  );
  const host = opts.host ?? '127.0.0.1';
  const port = await server.listen(opts.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/api/v1`,
    port,
    token,
    requests: server.requests,
    unhandled: server.unhandled,
    addSessions: (n) => store.addArrivals(n).map((ref) => store.session(ref, 'list')),
    removeOldest: (n) => {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot remove ${n} sessions`);
      return store.removeOldest(n);
    },
    sessionCount: () => store.total,
    removedCount: () => store.removed,
    sessionAt: (index) => {
      if (!Number.isInteger(index) || index < 0 || index >= store.total) {
        throw new RangeError(`no session at index ${index} (there are ${store.total})`);
      }
      return store.session(store.refAt(index), 'list');
    },
    setFaults: (spec) => server.setFaults(spec),
    setOptions: (patch) => {
      validateOptions(patch);
      for (const [key, value] of Object.entries(patch)) {
        if (!MUTABLE.has(key)) throw new Error(`option ${key} cannot change while running`);
        if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
      }
    },
    // Emptied in place: callers may hold the arrays.
    resetRequests: () => {
      server.requests.length = 0;
      server.unhandled.length = 0;
    },
    close: () => server.close(),
  };
}
