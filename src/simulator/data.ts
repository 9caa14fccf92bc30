// The session store. Session i (0 = newest of the generated ones) is a pure function of
// (seed, now, i), so 200,000 sessions cost nothing until asked for. Only what changes at
// run time is kept: the start times of sessions that arrived after start-up, how many of
// the oldest were removed (ageing out), the kills, and per-filter lists of matching indices.

import type { Recording, Session } from '../api/types';
import { LOCATIONS, USERS, USER_WEIGHTS, makeSockets, userIndex, type SimSocket } from './catalog';
import { isUnfiltered, filterKey, type Filters } from './filters';
import { generateRecording, type RecordingContent } from './recordings';
import { Permutation32, Rng, Salt, uuidV4 } from './rng';

/**
 * A session's identity. Generated sessions are 0..count-1; sessions that arrive later
 * are ARRIVAL + k, k counting up from the first arrival. Both fit the 32 bits that a
 * session ID carries.
 */
export type Ref = number;
const ARRIVAL = 0x80000000;

type Kind = 'success' | 'denied' | 'killed' | 'live';

/** The few attributes filters and stats need: cheap enough to compute for every session. */
interface Core {
  start: number; // unix seconds
  socket: number;
  user: number;
  location: number;
  kind: Kind;
}

// Average spacing of generated sessions: 2,500 span about 17 days. Jitter stays under
// half the gap, so start times strictly decrease with the index, even in whole seconds.
const GAP_SEC = 600;
const JITTER_SEC = 240;
const HEAD_OFFSET_SEC = 300;
const LIVE_WINDOW_SEC = 2 * 3600;

// The newest generated sessions are scripted: page 1 always shows every hostile user,
// live sessions to kill, a denial and a kill.
const HEAD: ReadonlyArray<{ user: string; socket: string; kind: Kind }> = [
  { user: 'alice@example.com', socket: 'prod-ssh', kind: 'live' },
  { user: 'mallory@example.net', socket: 'prod-ssh', kind: 'success' },
  { user: 'eve@example.net', socket: 'grafana-http', kind: 'success' },
  { user: 'unicorn@example.com', socket: 'prod-k8s', kind: 'live' },
  { user: 'hubert@example.com', socket: 'orders-db', kind: 'success' },
  { user: 'formula@example.com', socket: 'staging-ssh', kind: 'success' },
  { user: 'bob@example.com', socket: 'analytics-db', kind: 'live' },
  { user: 'cmd@example.com', socket: 'wiki-http', kind: 'denied' },
  { user: 'sum@example.com', socket: 'bastion-ssh', kind: 'success' },
  { user: 'minus@example.com', socket: 'prod-ssh', kind: 'killed' },
];

const DURATION_SEC: Record<SimSocket['type'], readonly [number, number]> = {
  ssh: [30, 7200],
  http: [2, 900],
  database: [5, 1800],
  kubernetes: [10, 3600],
  s3: [5, 1200],
  snowflake: [30, 3600],
  rdp: [60, 7200],
};

/** The recording each kind of socket makes; a Kubernetes session's second one is a `kubectl exec` shell. */
const RECORDING_TYPES: Record<SimSocket['type'], readonly string[]> = {
  ssh: ['asciinema', 'asciinema'],
  kubernetes: ['kubernetes_api_request_log', 'asciinema'],
  database: ['database_query_log'],
  http: ['http_access_log'],
  s3: ['aws_s3_api_request_log'],
  snowflake: ['snowflake_query_log'],
  rdp: ['browser_session_stream'],
};

export function rfc3339(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface StoreOptions {
  seed: number;
  now: number;
  sessions: number;
  /** The simulator's clock (ms): start times of arrivals and the time of kills. */
  clock: () => number;
  /** Generated sessions share start times in consecutive groups of this size. */
  tieGroup?: number;
  /** Arrivals end this many seconds (of `clock`) after they start; unset: they run until killed. */
  liveForSeconds?: number;
}

/**
 * Which sessions exist: arrivals [removedArrivals, arrivals) and generated
 * [0, count - removedGenerated). Removal always takes the oldest, so counts say it all.
 */
interface Extent {
  arrivals: number;
  removedGenerated: number;
  removedArrivals: number;
}

/** The first index of a sorted array whose value is >= x. */
function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Built {
  session: Session; // detail form
  core: Core;
  socket: SimSocket;
  unixUser: string;
  recordingPlan: Array<{ id: string; startSec: number; type: string }>;
  /** When the session's recordings stop: its end, or now while it is live. */
  endSec: number;
}

export interface SessionView {
  length: number;
  at(position: number): Ref;
  /** The length right after list request `listNo` had its arrivals and ageing (0: at start-up). */
  lengthAsOf(listNo: number): number;
}

interface CachedView {
  killVersion: number;
  base: Int32Array;
  arrivals: number[];
  arrivalsScanned: number;
}

export type StatsRow = Record<string, string | number>;

export class SessionStore {
  readonly sockets: SimSocket[];
  private readonly seed: number;
  private readonly nowSec: number;
  private readonly count: number;
  private readonly tieGroup: number;
  private readonly clock: () => number;
  private readonly liveForSec: number | undefined;
  private readonly perm: Permutation32;
  private readonly arrivalStarts: number[] = [];
  private removedGenerated = 0;
  private removedArrivals = 0;
  private listRequests = 0;
  /** The extent after each list request that changed it, for totals reported late. */
  private readonly history: Array<{ listNo: number; extent: Extent }> = [{ listNo: 0, extent: { arrivals: 0, removedGenerated: 0, removedArrivals: 0 } }];
  private readonly kills = new Map<Ref, number>();
  private killVersion = 0;
  private readonly views = new Map<string, CachedView>();
  private readonly socketIndexById = new Map<string, number>();
  private readonly socketIndexByName = new Map<string, number>();
  private readonly headPlan: Array<{ user: number; socket: number; kind: Kind }>;

  constructor(opts: StoreOptions) {
    this.seed = opts.seed;
    this.nowSec = Math.floor(opts.now / 1000);
    this.count = Math.max(0, Math.floor(opts.sessions));
    if (this.count >= ARRIVAL) throw new Error(`too many sessions: ${opts.sessions}`);
    this.tieGroup = opts.tieGroup ?? 1;
    this.clock = opts.clock;
    this.liveForSec = opts.liveForSeconds;
    this.perm = new Permutation32(opts.seed);
    this.sockets = makeSockets(opts.seed);
    this.sockets.forEach((s, i) => {
      this.socketIndexById.set(s.id, i);
      this.socketIndexByName.set(s.name, i);
    });
    this.headPlan = HEAD.map((h) => ({
      user: userIndex(h.user),
      socket: this.socketIndexByName.get(h.socket) ?? 0,
      kind: h.kind,
    }));
  }

  private extent(): Extent {
    return { arrivals: this.arrivalStarts.length, removedGenerated: this.removedGenerated, removedArrivals: this.removedArrivals };
  }

  private extentAsOf(listNo: number): Extent {
    // Searched from the end: a lag looks only a few requests back.
    for (let i = this.history.length - 1; i > 0; i--) {
      const h = this.history[i]!;
      if (h.listNo <= listNo) return h.extent;
    }
    return this.history[0]!.extent;
  }

  private static size(e: Extent, count: number): number {
    return e.arrivals - e.removedArrivals + count - e.removedGenerated;
  }

  get total(): number {
    return SessionStore.size(this.extent(), this.count);
  }

  get removed(): number {
    return this.removedGenerated + this.removedArrivals;
  }

  /** The session at a position of the unfiltered newest-first list. */
  refAt(position: number): Ref {
    const arrivals = this.arrivalStarts.length;
    const live = arrivals - this.removedArrivals;
    return position < live ? ARRIVAL + (arrivals - 1 - position) : position - live;
  }

  /**
   * What happens before a GET /sessions is answered: new sessions start, then the oldest
   * age out. Returns the request's number among list requests (1-based).
   */
  listRequest(arrivals: number, ageOut: number): number {
    this.addArrivals(arrivals);
    this.removeOldest(ageOut);
    this.listRequests++;
    const extent = this.extent();
    const last = this.history.at(-1)!.extent;
    if (extent.arrivals !== last.arrivals || extent.removedGenerated !== last.removedGenerated || extent.removedArrivals !== last.removedArrivals) {
      this.history.push({ listNo: this.listRequests, extent });
    }
    return this.listRequests;
  }

  /** Removes the n oldest sessions (generated ones first, then arrivals); returns how many went. */
  removeOldest(n: number): number {
    const generated = Math.min(n, this.count - this.removedGenerated);
    const arrivals = Math.min(n - generated, this.arrivalStarts.length - this.removedArrivals);
    this.removedGenerated += generated;
    this.removedArrivals += arrivals;
    return generated + arrivals;
  }

  /** Sessions starting now, newer than every other one; newest first, like the list. */
  addArrivals(n: number): Ref[] {
    const nowSec = Math.floor(this.clock() / 1000);
    const added: Ref[] = [];
    for (let i = 0; i < n; i++) {
      const previous = this.arrivalStarts.at(-1) ?? (this.count > 0 ? this.core(0).start : -Infinity);
      this.arrivalStarts.push(Math.max(nowSec, previous + 1));
      added.unshift(ARRIVAL + this.arrivalStarts.length - 1);
    }
    return added;
  }

  private exists(ref: Ref): boolean {
    if (ref < ARRIVAL) return ref < this.count - this.removedGenerated;
    const k = ref - ARRIVAL;
    return k >= this.removedArrivals && k < this.arrivalStarts.length;
  }

  /** Today's start of generated session i, before ties: strictly decreasing with i. */
  private generatedStart(i: number, jitter: number): number {
    return this.nowSec - HEAD_OFFSET_SEC - i * GAP_SEC + jitter;
  }

  startOf(ref: Ref): number {
    return this.core(ref).start;
  }

  /** When an arrival ends by itself (unix seconds), if arrivals end at all. */
  private plannedEnd(ref: Ref, start: number): number | undefined {
    return ref >= ARRIVAL && this.liveForSec !== undefined ? start + this.liveForSec : undefined;
  }

  /** Still running: live by its data, not killed, and not past its planned end. */
  private running(ref: Ref, c: Core = this.core(ref)): boolean {
    if (c.kind !== 'live' || this.kills.has(ref)) return false;
    const end = this.plannedEnd(ref, c.start);
    return end === undefined || Math.floor(this.clock() / 1000) < end;
  }

  private core(ref: Ref): Core {
    const rng = new Rng(this.seed, Salt.core, ref);
    const arrival = ref >= ARRIVAL;
    const jitter = rng.int(-JITTER_SEC, JITTER_SEC);
    // A tie group takes the start its first member has without ties, so the data spans
    // the same time whatever the group size.
    const leader = ref - (ref % this.tieGroup);
    const start = arrival
      ? (this.arrivalStarts[ref - ARRIVAL] ?? this.nowSec)
      : leader === ref
        ? this.generatedStart(ref, jitter)
        : this.generatedStart(leader, new Rng(this.seed, Salt.core, leader).int(-JITTER_SEC, JITTER_SEC));
    let socket = rng.int(0, this.sockets.length - 1);
    let user = rng.weighted(USER_WEIGHTS);
    const roaming = rng.chance(0.1);
    const roamTo = rng.int(0, LOCATIONS.length - 1);
    const x = rng.float();
    let kind: Kind = x < 0.08 ? 'denied' : x < 0.13 ? 'killed' : 'success';
    const liveRoll = rng.chance(0.4);
    // Arrivals have only just started, so they are all still running.
    if (arrival) kind = kind === 'denied' ? 'denied' : 'live';
    else if (kind === 'success' && this.nowSec - start < LIVE_WINDOW_SEC && liveRoll) kind = 'live';
    const head = arrival ? undefined : this.headPlan[ref];
    if (head) ({ socket, user, kind } = head);
    const location = roaming ? roamTo : (USERS[user]?.home ?? 0);
    return { start, socket, user, location, kind };
  }

  sessionId(ref: Ref): string {
    return uuidV4(this.perm.forward(ref), new Rng(this.seed, Salt.sessionId, ref));
  }

  /** The session an ID names, without an index of IDs: the ID's first 32 bits encode it. */
  findById(sessionId: string): Ref | undefined {
    const id = sessionId.toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
    const ref = this.perm.inverse(parseInt(id.slice(0, 8), 16));
    return this.exists(ref) && this.sessionId(ref) === id ? ref : undefined;
  }

  socketIndex(socketId: string): number | undefined {
    return this.socketIndexById.get(socketId.toLowerCase());
  }

  socketOf(ref: Ref): number {
    return this.core(ref).socket;
  }

  private build(ref: Ref): Built {
    const core = this.core(ref);
    const rng = new Rng(this.seed, Salt.detail, ref);
    const socket = this.sockets[core.socket] as SimSocket;
    const user = USERS[core.user] ?? USERS[0]!;
    const loc = LOCATIONS[core.location] ?? LOCATIONS[0]!;
    const [minDur, maxDur] = DURATION_SEC[socket.type];
    const duration = rng.logUniform(minDur, maxDur);
    const lastSeenLag = rng.int(0, 25);
    const clientIp = `${loc.net}.${rng.int(1, 254)}`;
    const clientPort = String(rng.int(1024, 65535));
    const unixUser = socket.unixUsers.length > 0 ? rng.pick(socket.unixUsers) : 'root';
    const mfa = rng.chance(0.6);
    const twoRecordings = rng.chance(0.2);
    const hasHttpLog = rng.chance(0.4);
    const recordingsMissing = rng.chance(0.15);

    let end: number | undefined;
    let lastSeen: number;
    if (core.kind === 'live') {
      lastSeen = Math.max(core.start, this.nowSec - lastSeenLag);
    } else if (core.kind === 'denied') {
      end = lastSeen = core.start;
    } else {
      end = lastSeen = Math.max(core.start, Math.min(core.start + duration, this.nowSec - 5));
    }
    const killedAt = this.kills.get(ref);
    if (killedAt !== undefined) end = lastSeen = killedAt;
    else if (core.kind === 'live' && !this.running(ref, core)) end = lastSeen = this.plannedEnd(ref, core.start) ?? lastSeen;
    const endSec = end ?? Math.max(core.start, Math.floor(this.clock() / 1000));

    const recordingPlan: Built['recordingPlan'] = [];
    if (core.kind !== 'denied') {
      const types = RECORDING_TYPES[socket.type];
      const n = types.length > 1 ? (twoRecordings ? 2 : 1) : socket.type !== 'http' || hasHttpLog ? 1 : 0;
      for (let j = 0; j < n; j++) {
        const type = types[j] ?? types[0]!;
        // A second recording starts half-way: the user reconnected or opened a second channel.
        // Half-way through a live session is measured to the data's `now`, not the running
        // clock, so that the session reads the same on every request.
        const until = end ?? this.nowSec;
        const startSec = j === 0 ? core.start : core.start + Math.floor((Math.max(core.start, until - 1) - core.start) / 2) + 1;
        const id = uuidV4(new Rng(this.seed, Salt.recording, ref, j, 0).next(), new Rng(this.seed, Salt.recording, ref, j, 1));
        recordingPlan.push({ id, startSec: Math.min(startSec, endSec), type });
      }
    }

    const session: Session = {
      session_id: this.sessionId(ref),
      socket_id: socket.id,
      start_time: rfc3339(core.start),
      // The API sends an empty string while a session is live.
      end_time: end === undefined ? '' : rfc3339(end),
      last_seen: rfc3339(lastSeen),
      user_email: user.email,
      server_name: socket.serverName,
      server_port: socket.port,
      client_ip: clientIp,
      client_port: clientPort,
      country_code: loc.countryCode,
      country_flag: loc.flag,
      audit_log: recordingPlan.length > 0,
      auth_info:
        core.kind === 'denied'
          ? { type: 'sso', provider: 'google', reason: 'no policy allows this identity' }
          : { type: 'sso', provider: 'google', mfa },
      name: user.name,
      picture: user.picture,
      sub: user.sub,
      nickname: user.nickname,
      killed: core.kind === 'killed' || killedAt !== undefined,
      result: core.kind === 'denied' ? 'denied' : 'success',
      session_type: socket.type,
      sshuser: socket.type === 'ssh' ? unixUser : null,
      metadata: {
        ip_metadata: {
          city_name: loc.city,
          country_code: loc.countryCode,
          country_name: loc.countryName,
          isp: loc.isp,
          latitude: loc.latitude,
          longitude: loc.longitude,
          region_code: loc.regionCode,
          region_name: loc.regionName,
        },
      },
    };
    const recordings: Recording[] = recordingPlan.map((r) => ({
      recording_id: r.id,
      start_time: rfc3339(r.startSec),
      recording_type: r.type,
    }));
    // Sessions without recordings mostly say [] but some leave the field out entirely.
    if (recordings.length > 0 || !recordingsMissing) session.recordings = recordings;
    return { session, core, socket, unixUser, recordingPlan, endSec };
  }

  /** The list form carries socket_name; the per-session endpoints leave it out. */
  session(ref: Ref, form: 'list' | 'detail'): Session {
    const { session, socket } = this.build(ref);
    if (form === 'detail') return session;
    const { session_id, socket_id, ...rest } = session;
    return { session_id, socket_id, socket_name: socket.name, ...rest };
  }

  isLive(ref: Ref): boolean {
    return this.running(ref);
  }

  /** Ends a live session now; false when it had already ended. */
  kill(ref: Ref): boolean {
    if (!this.isLive(ref)) return false;
    this.kills.set(ref, Math.max(this.core(ref).start, Math.floor(this.clock() / 1000)));
    this.killVersion++;
    return true;
  }

  /**
   * A recording's content: the first one when no ID is given. 'none' when the session
   * has no recordings, undefined when the ID is not one of its recordings.
   */
  recording(ref: Ref, recordingId: string | undefined): RecordingContent | 'none' | undefined {
    const built = this.build(ref);
    if (built.recordingPlan.length === 0) return 'none';
    const index = recordingId === undefined ? 0 : built.recordingPlan.findIndex((r) => r.id === recordingId.toLowerCase());
    const plan = built.recordingPlan[index];
    if (!plan) return undefined;
    const next = built.recordingPlan[index + 1];
    const stop = next ? next.startSec : built.endSec;
    return generateRecording({
      key: [this.seed, Salt.content, ref, index],
      type: plan.type,
      startSec: plan.startSec,
      durationSec: Math.max(1, stop - plan.startSec),
      socket: built.socket,
      unixUser: built.unixUser,
      userEmail: USERS[built.core.user]?.email ?? 'unknown@example.com',
      hostile: USERS[built.core.user]?.hostile ?? false,
      complete: (built.core.kind === 'success' || (built.core.kind === 'live' && !this.running(ref, built.core) && !this.kills.has(ref))) && next === undefined,
    });
  }

  private matches(ref: Ref, f: Filters, socketSet: Set<number> | undefined, userSet: Set<number> | undefined): boolean {
    const c = this.core(ref);
    if (socketSet && !socketSet.has(c.socket)) return false;
    if (userSet && !userSet.has(c.user)) return false;
    if (f.result !== undefined && (c.kind === 'denied' ? 'denied' : 'success') !== f.result) return false;
    if (f.after !== undefined && c.start * 1000 < f.after) return false;
    if (f.before !== undefined && c.start * 1000 > f.before) return false;
    if (f.finished !== undefined && !this.running(ref, c) !== f.finished) return false;
    return true;
  }

  /**
   * The newest-first list under some filters. Generated sessions are scanned once per
   * filter combination and the matching indices kept; arrivals are scanned as they come.
   */
  view(f: Filters): SessionView {
    if (isUnfiltered(f)) {
      return { length: this.total, at: (p) => this.refAt(p), lengthAsOf: (n) => SessionStore.size(this.extentAsOf(n), this.count) };
    }
    const key = filterKey(f);
    let cached = this.views.get(key);
    if (cached && f.finished !== undefined && cached.killVersion !== this.killVersion) cached = undefined;
    const socketSet = f.socketNames && new Set([...f.socketNames].map((n) => this.socketIndexByName.get(n) ?? -1));
    const userSet = f.userEmails && new Set([...f.userEmails].map((e) => userIndex(e)));
    if (!cached) {
      const all = new Int32Array(this.count);
      let n = 0;
      for (let i = 0; i < this.count; i++) if (this.matches(i, f, socketSet, userSet)) all[n++] = i;
      cached = { killVersion: this.killVersion, base: all.slice(0, n), arrivals: [], arrivalsScanned: 0 };
      // Bounded: a benchmark sweeping many filter values must not grow memory without end.
      if (this.views.size >= 32) this.views.clear();
      this.views.set(key, cached);
    }
    // Arrivals that end by themselves change `finished` with the clock alone: scan them afresh.
    if (f.finished !== undefined && this.liveForSec !== undefined) {
      cached.arrivals = [];
      cached.arrivalsScanned = 0;
    }
    for (; cached.arrivalsScanned < this.arrivalStarts.length; cached.arrivalsScanned++) {
      const ref = ARRIVAL + cached.arrivalsScanned;
      if (this.matches(ref, f, socketSet, userSet)) cached.arrivals.push(cached.arrivalsScanned);
    }
    // Removed sessions stay in the cache: they are the oldest, so bounds cut them off.
    const { base, arrivals } = cached;
    const lengthIn = (e: Extent): number =>
      lowerBound(base, this.count - e.removedGenerated) + lowerBound(arrivals, e.arrivals) - lowerBound(arrivals, e.removedArrivals);
    const liveArrivals = arrivals.length - lowerBound(arrivals, this.removedArrivals);
    return {
      length: lengthIn(this.extent()),
      at: (p) => (p < liveArrivals ? ARRIVAL + (arrivals[arrivals.length - 1 - p] ?? 0) : (base[p - liveArrivals] ?? 0)),
      lengthAsOf: (n) => lengthIn(this.extentAsOf(n)),
    };
  }

  /** GET /session/{socket_id}: every session of one socket, newest first. */
  socketSessions(socketIndex: number): Ref[] {
    const name = this.sockets[socketIndex]?.name ?? '';
    const view = this.view({ socketNames: new Set([name]) });
    const refs: Ref[] = [];
    for (let p = 0; p < view.length; p++) refs.push(view.at(p));
    return refs;
  }

  stats(kind: 'locations' | 'sockets' | 'users', f: Filters): StatsRow[] {
    const view = this.view(f);
    const counts = new Map<number, number>();
    for (let p = 0; p < view.length; p++) {
      const c = this.core(view.at(p));
      const k = kind === 'locations' ? c.location : kind === 'sockets' ? c.socket : c.user;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const rows: Array<{ label: string; row: StatsRow; count: number }> = [];
    for (const [k, count] of counts) {
      if (kind === 'locations') {
        const loc = LOCATIONS[k] ?? LOCATIONS[0]!;
        rows.push({ label: loc.countryCode, count, row: { country_code: loc.countryCode, country_name: loc.countryName, count } });
      } else if (kind === 'sockets') {
        const s = this.sockets[k] ?? this.sockets[0]!;
        rows.push({ label: s.name, count, row: { socket_name: s.name, socket_id: s.id, count } });
      } else {
        const u = USERS[k] ?? USERS[0]!;
        rows.push({ label: u.email, count, row: { user_email: u.email, count } });
      }
    }
    rows.sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
    return rows.map((r) => r.row);
  }
}
