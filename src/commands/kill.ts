// b0s kill: end live sessions named as arguments, read from stdin, or matched by list
// filters. Looks first, so a session that is already over is reported (exit 0) rather
// than "killed" again, and so the plan (--dry-run, the prompt) says what will die.
import type { Border0Client, ListFilters } from '../api/client';
import type { Session } from '../api/types';
import { walkSessions } from '../api/walk';
import type { Deps } from '../deps';
import { ApiError, B0sError, CancelledError, NotTheApiError, PartialFailure, UsageError } from '../errors';
import { formatDuration, fullId, shortId, userOf } from '../output/fields';
import { durationOf, statusOf } from '../session';
import { outputFormat } from '../output/formats';
import { toJson } from '../output/json';
import { createListWriter } from '../output/list-writer';
import { inlineText, textOf } from '../text';
import { forEachLimited } from '../pool';
import { matchesFilter, type SessionFilter, type SessionStatus } from '../session';
import type { CommandDefaults } from '../settings';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE } from '../settings/keys';
import { listOptions } from './list';
import { parseTarget, resolveTarget, resolveTwoIds, UUID, type ResolveContext, type TargetSpec } from './target';

/** Where the sessions to kill come from. */
export type KillSource =
  | { kind: 'args'; targets: TargetSpec[]; twoIds?: [string, string] }
  | { kind: 'stdin' }
  | { kind: 'filter'; filter: SessionFilter; hints: ListFilters };

export interface KillOptions {
  source: KillSource;
  yes: boolean;
  dryRun: boolean;
  /** More live sessions than this stops the run before anything is killed. */
  max: number;
  maxIsDefault: boolean;
  /** Kills (and lookups) in flight at once. */
  concurrency: number;
  pageSize: number;
  format: 'table' | 'json';
}

/** Enough for the sessions of a compromised account or two; a filter that matches more is probably too wide. */
export const DEFAULT_KILL_MAX = 20;
const MAX_KILL_MAX = 100_000;

interface RawKillFlags {
  yes?: boolean;
  output?: 'table' | 'json';
  json?: boolean;
  stdin?: boolean;
  dryRun?: boolean;
  max?: number;
  concurrency?: number;
  socket?: string[];
  user?: string[];
  type?: string[];
  since?: number;
  until?: number;
  status?: SessionStatus[];
  result?: 'success' | 'denied';
}

const FILTER_FLAGS = ['socket', 'user', 'type', 'since', 'until', 'status', 'result'] as const;

/**
 * Each argument is a session (`socket_id/session_id`, a session ID or its short form),
 * except two bare UUIDs: see resolveTwoIds. Or --stdin, or list filters: never two of these.
 */
export function killOptions(args: string[], raw: RawKillFlags, defaults: CommandDefaults = {}): KillOptions {
  const filters = FILTER_FLAGS.filter((f) => raw[f] !== undefined).map((f) => `--${f}`);
  const ways = [args.length > 0 && 'session arguments', raw.stdin && '--stdin', filters.length > 0 && filters.join(', ')].filter(Boolean);
  if (ways.length > 1) throw new UsageError(`kill takes sessions from one place: ${ways.join(' or ')}, not both`);
  const base = {
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    max: raw.max ?? DEFAULT_KILL_MAX,
    maxIsDefault: raw.max === undefined,
    concurrency: raw.concurrency ?? defaults.concurrency ?? DEFAULT_CONCURRENCY,
    pageSize: defaults.pageSize ?? DEFAULT_PAGE_SIZE,
    format: outputFormat(raw, defaults.output) as 'table' | 'json',
  };
  if (raw.stdin) return { ...base, source: { kind: 'stdin' } };
  if (filters.length) return { ...base, source: filterSource(raw) };
  if (args.length === 0) {
    throw new UsageError('kill needs sessions: <socket_id> <session_id>, one or more <socket_id>/<session_id>, --stdin, or filters such as --user EMAIL');
  }
  // Sessions named one by one are what the user asked for: --max applies only when given.
  const named = { ...base, max: raw.max ?? MAX_KILL_MAX };
  if (args.length === 2 && args.every((a) => UUID.test(a))) return { ...named, source: { kind: 'args', targets: [], twoIds: [args[0] as string, args[1] as string] } };
  return { ...named, source: { kind: 'args', targets: args.map((a) => parseTarget(a, undefined)) } };
}

/** The list filters, as `b0s list` builds them, with --status live implied: only live sessions can be killed. */
function filterSource(raw: RawKillFlags): KillSource {
  const other = raw.status?.filter((s) => s !== 'live') ?? [];
  if (other.length) throw new UsageError(`kill ends live sessions only: --status ${other.join(',')} cannot be killed (leave --status out)`);
  if (raw.result === 'denied') throw new UsageError('kill ends live sessions only: a denied session never started (leave --result out)');
  const { filter, hints } = listOptions({ socket: raw.socket, user: raw.user, type: raw.type, since: raw.since, until: raw.until, result: raw.result, status: ['live'] });
  return { kind: 'filter', filter, hints };
}

function describe(s: Session, now: number, socketName?: string | null): string {
  const from = s.client_ip ? ` from ${inlineText(s.client_ip)}` : '';
  const socket = s.socket_name || socketName || `socket ${shortId(s.socket_id)}`;
  return `${inlineText(shortId(s.session_id))} (${inlineText(userOf(s)) || 'unknown user'} on ${inlineText(socket)}${from}, ${formatDuration(durationOf(s, now))})`;
}

interface Found {
  label: string;
  socketId: string;
  sessionId: string;
  socketName?: string;
  session: Session;
}

function label(spec: TargetSpec): string {
  return 'lookup' in spec ? spec.lookup : `${spec.socketId}/${spec.sessionId}`;
}

async function look(spec: TargetSpec, client: Border0Client, deps: Deps, ctx: ResolveContext): Promise<Found> {
  const target = await resolveTarget(spec, client, ctx);
  const session = target.session ?? (await client.getSession(target.socketId, target.sessionId, deps.signal));
  return { label: label(spec), ...target, session };
}

/**
 * A kill counts only when the answer shows the session killed or ended. Any other answer
 * (`{}`, `{"killed": false}`) is checked by reading the session again.
 */
async function killConfirmed(f: Found, client: Border0Client, deps: Deps): Promise<{ session: Session; killed: boolean }> {
  const answer = await client.killSession(f.socketId, f.sessionId, deps.signal);
  const over = (s: Session) => s.killed === true || Boolean(s.end_time);
  if (over(answer)) return { session: answer, killed: answer.killed === true };
  const now = await client.getSession(f.socketId, f.sessionId, deps.signal);
  if (over(now)) return { session: now, killed: now.killed === true };
  const said = toJson(answer);
  throw new ApiError(`the API did not confirm the kill: it answered ${said.length > 80 ? `${said.slice(0, 79)}…` : said}, and the session is still live`);
}

/** What was found: sessions to kill, sessions already over, and those that could not be looked at. */
interface Plan {
  /** How many sessions were named, read or matched (for the summary and the exit code). */
  named: number;
  live: Found[];
  over: Found[];
  failures: Array<{ label: string; error: B0sError; printed?: boolean }>;
  /** A filter walk stopped as soon as more than --max matched. */
  moreThanMax: boolean;
}

/** A typed failure is one session's alone; anything else (Ctrl-C, a bug) stops everything. */
function failureOf(error: unknown): B0sError {
  if (!(error instanceof B0sError) || error instanceof CancelledError) throw error;
  return error;
}

/** While planning, a wrong API URL stops everything too: no other session will do better. */
function planningFailureOf(error: unknown): B0sError {
  if (error instanceof NotTheApiError) throw error;
  return failureOf(error);
}

function emptyPlan(): Plan {
  return { named: 0, live: [], over: [], failures: [], moreThanMax: false };
}

function sortFound(plan: Plan, found: Found): void {
  (statusOf(found.session) === 'live' ? plan.live : plan.over).push(found);
}

/** Sessions named as arguments, looked at one by one (a short ID may need the list). */
async function planArgs(source: Extract<KillSource, { kind: 'args' }>, client: Border0Client, deps: Deps): Promise<Plan> {
  const ctx = { now: deps.now(), signal: deps.signal, recent: deps.recent };
  const specs = source.twoIds ? await resolveTwoIds(...source.twoIds, client, ctx) : source.targets;
  const plan = { ...emptyPlan(), named: specs.length };
  // The same session named twice, in any form, is looked at and killed once.
  const asked = new Set<string>();
  const seen = new Set<string>();
  for (const spec of specs) {
    if (asked.has(label(spec))) continue;
    asked.add(label(spec));
    try {
      const found = await look(spec, client, deps, ctx);
      const key = `${found.socketId}/${found.sessionId}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      sortFound(plan, found);
    } catch (err) {
      plan.failures.push({ label: label(spec), error: planningFailureOf(err) });
    }
  }
  return plan;
}

/** Sessions from stdin, each read again from the API (the list they came from may be old). */
async function planStdin(specs: StdinTarget[], opts: KillOptions, client: Border0Client, deps: Deps): Promise<Plan> {
  const plan = { ...emptyPlan(), named: specs.length };
  const found: Array<Found | undefined> = new Array(specs.length);
  await forEachLimited(specs, opts.concurrency, async (spec, i) => {
    try {
      const session = await client.getSession(spec.socketId, spec.sessionId, deps.signal);
      found[i] = { label: label(spec), ...spec, socketName: (await deps.recent.socketName(client.baseUrl, spec.socketId)) ?? spec.socketName, session };
    } catch (err) {
      plan.failures.push({ label: label(spec), error: planningFailureOf(err) });
    }
  });
  for (const f of found) if (f) sortFound(plan, f);
  return plan;
}

/**
 * Live sessions that match the filters, from a walk that stops once more than --max match
 * (a dry run reads them all: it shows what --max would stop).
 */
async function planFilter(source: Extract<KillSource, { kind: 'filter' }>, opts: KillOptions, client: Border0Client, deps: Deps): Promise<Plan> {
  const plan = emptyPlan();
  const limit = opts.dryRun ? Infinity : opts.max;
  const walk = walkSessions(client, source.hints, {
    pageSize: opts.pageSize,
    concurrency: opts.concurrency,
    since: source.filter.since,
    keep: (s) => matchesFilter(s, source.filter),
    signal: deps.signal,
  });
  walking: for await (const batch of walk) {
    for (const s of batch) {
      if (plan.live.length >= limit) {
        plan.moreThanMax = true;
        break walking;
      }
      plan.live.push({ label: fullId(s), socketId: textOf(s.socket_id), sessionId: textOf(s.session_id), socketName: textOf(s.socket_name) || undefined, session: s });
    }
  }
  plan.named = plan.live.length;
  return plan;
}

/**
 * Lines of `b0s list -o ndjson` (session objects), `<socket_id> <session_id>`,
 * `<socket_id>/<session_id>`, or `b0s list`'s piped table (its ID column). Blank lines are
 * skipped; any other line is a usage error naming it, before anything is sent.
 */
export function parseStdinTargets(text: string): StdinTarget[] {
  const out: StdinTarget[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '').trim();
    if (line === '') return;
    const spec = parseStdinLine(line, i + 1);
    const key = `${spec.socketId}/${spec.sessionId}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(spec);
  });
  return out;
}

/** A session named on stdin, with its socket's name when the line (a session object) had it: the API's session lacks it. */
interface StdinTarget {
  socketId: string;
  sessionId: string;
  socketName?: string;
}

function parseStdinLine(line: string, n: number): StdinTarget {
  const bad = (why: string) =>
    new UsageError(`stdin line ${n}: ${why}; each line must be a session object (b0s list -o ndjson), "<socket_id> <session_id>" or "<socket_id>/<session_id>"`);
  try {
    if (line.startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw bad('not valid JSON');
      }
      const o = value as { socket_id?: unknown; session_id?: unknown; socket_name?: unknown };
      if (typeof o?.socket_id !== 'string' || typeof o.session_id !== 'string') throw bad('a JSON object without string socket_id and session_id');
      return withName(pair(parseTarget(o.socket_id, o.session_id)), o.socket_name);
    }
    const cells = line.split('\t');
    // `b0s list` piped: the ID column is the 9th (its names are as printed, escaped: not taken).
    if (cells.length >= 9) return pair(parseTarget(cells[8] as string, undefined));
    const words = line.split(/\s+/);
    if (words.length === 2) return pair(parseTarget(words[0] as string, words[1]));
    if (words.length === 1 && line.includes('/')) return pair(parseTarget(line, undefined));
    throw bad(`"${inlineText(line.length > 80 ? `${line.slice(0, 79)}…` : line)}" names no session`);
  } catch (err) {
    if (err instanceof UsageError && !err.message.startsWith('stdin line')) throw bad(err.message);
    throw err;
  }
}

function withName(target: StdinTarget, name: unknown): StdinTarget {
  return typeof name === 'string' && name !== '' && name !== '-' ? { ...target, socketName: name } : target;
}

function pair(spec: TargetSpec): { socketId: string; sessionId: string } {
  if ('lookup' in spec) throw new UsageError('a session ID alone needs its socket ID');
  return { socketId: spec.socketId, sessionId: spec.sessionId };
}

async function readAll(stream: NodeJS.ReadableStream, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    if (signal.aborted) throw new CancelledError('interrupted');
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function runKill(opts: KillOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const { source } = opts;
  // Bad lines are refused before anything is sent.
  const fromStdin = source.kind === 'stdin' ? parseStdinTargets(await readAll(io.stdin, deps.signal)) : [];
  const client = await deps.api({ concurrency: opts.concurrency });
  const plan =
    source.kind === 'args' ? await planArgs(source, client, deps) : source.kind === 'stdin' ? await planStdin(fromStdin, opts, client, deps) : await planFilter(source, opts, client, deps);
  const bulk = source.kind !== 'args';

  const results: Session[] = [];
  for (const found of plan.over) {
    const status = statusOf(found.session);
    const why = status === 'killed' ? 'was already killed' : status === 'denied' ? 'was denied: it never started' : `already ended at ${inlineText(found.session.end_time)}`;
    io.note(`Session ${describe(found.session, deps.now(), found.socketName)} ${why}; nothing to do.`);
    results.push(found.session);
  }
  const { live } = plan;

  const max = `--max ${opts.max}${opts.maxIsDefault ? ', the default' : ''}`;
  if (!opts.dryRun && (plan.moreThanMax || live.length > opts.max)) {
    const count = plan.moreThanMax ? `more than ${opts.max}` : String(live.length);
    throw new UsageError(`${count} live sessions match, more than ${max}: nothing was killed; narrow the filters, or give a larger --max`);
  }
  if (bulk && live.length === 0 && plan.failures.length === 0) {
    io.note(source.kind === 'filter' ? 'No live session matches; nothing to do.' : 'No live session among those read; nothing to do.');
    if (opts.format === 'json') await io.write(`${toJson(results, 2)}\n`);
    return;
  }

  if (opts.dryRun) {
    await printPlan(live, opts, deps);
    io.note(io.err.dim(`dry run: ${live.length} live session${live.length === 1 ? '' : 's'} would be killed; nothing was killed`));
    if (live.length > opts.max) io.note(`That is more than ${max}: without --dry-run, b0s would stop before killing any.`);
    return reportFailures(plan, results, bulk, deps);
  }

  if (live.length && !opts.yes) {
    if (!io.interactive || source.kind === 'stdin') {
      if (bulk) {
        const what = source.kind === 'stdin' ? '--stdin' : 'killing by filter';
        throw new UsageError(`${what} needs --yes when there is no terminal to ask on (${live.length} live session${live.length === 1 ? '' : 's'} would be killed; --dry-run lists them): nothing was killed`);
      }
    } else {
      const list = live.map((f) => describe(f.session, deps.now(), f.socketName));
      const question = live.length === 1 ? `Kill live session ${list[0]}?` : `Kill ${live.length} live sessions?\n${list.map((l) => `  ${l}`).join('\n')}\n`;
      if (!(await io.confirm(question, deps.signal))) throw new CancelledError('cancelled: no session was killed');
    }
  }

  const killed: Array<Session | undefined> = new Array(live.length);
  await forEachLimited(live, bulk ? opts.concurrency : 1, async (f, i) => {
    try {
      const { session, killed: wasKilled } = await killConfirmed(f, client, deps);
      // Between the look and the kill the session may have ended by itself.
      io.note(
        wasKilled
          ? `${io.err.green('✓')} Killed session ${describe(session, deps.now(), f.socketName)}.`
          : `Session ${describe(session, deps.now(), f.socketName)} had already ended by itself.`,
      );
      killed[i] = session;
    } catch (err) {
      const error = failureOf(err);
      // Many kills at once: each failure is said as it happens, among the kills.
      plan.failures.push({ label: f.label, error, printed: bulk });
      if (bulk) io.note(`${io.err.red('✗')} ${inlineText(f.label)}: ${inlineText(error.message)}`);
    }
  });
  for (const s of killed) if (s) results.push(s);

  if (opts.format === 'json' && results.length) {
    await io.write(`${toJson(!bulk && plan.named === 1 ? results[0] : results, 2)}\n`);
  }
  return reportFailures(plan, results, bulk, deps);
}

/** The sessions that would die, as `b0s list` prints them (so a piped plan can be fed back with --stdin). */
async function printPlan(live: readonly Found[], opts: KillOptions, deps: Deps): Promise<void> {
  const writer = createListWriter(opts.format, deps.io, { now: deps.now(), wide: false });
  await writer.write(live.map((f) => (f.session.socket_name || !f.socketName ? f.session : { ...f.session, socket_name: f.socketName })));
  await writer.end();
}

/** Each failure on its own line (those not printed yet), then the exit: 5 when only some failed. */
function reportFailures(plan: Plan, results: readonly Session[], bulk: boolean, deps: Deps): void {
  const { failures, named } = plan;
  if (failures.length === 0) return;
  const first = failures[0] as { error: B0sError };
  if (named === 1 && !bulk) throw first.error;
  for (const f of failures) {
    if (!f.printed) deps.io.note(`${deps.io.err.red('b0s:')} ${inlineText(f.label)}: ${inlineText(f.error.message)}`);
  }
  if (results.length === 0) {
    // Same kind (and exit code) as the failures; each was already listed.
    const Kind = first.error.constructor as new (message: string) => B0sError;
    throw new Kind(`none of the ${named} sessions could be killed (each is listed above)`);
  }
  throw new PartialFailure(`${failures.length} of ${named} sessions could not be killed (each is listed above)`);
}
