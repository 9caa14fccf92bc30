// b0s search: which sessions showed a pattern. It walks the sessions the list filters
// select (newest first), downloads their recordings a few at a time, searches what a
// person would read in each (search.ts, in worker threads when there are several), and
// prints the matches in the order of the walk, whatever order the downloads finish in:
// the output is the same at any --concurrency.
import type { Recording, Session } from '../api/types';
import { walkSessions } from '../api/walk';
import type { Deps } from '../deps';
import { NothingFound, PartialFailure, UsageError } from '../errors';
import type { Progress } from '../io';
import { outputFormat } from '../output/formats';
import { toJson } from '../output/json';
import { inlineText } from '../text';
import type { Match, SearchResult } from '../recording/search';
import type { PatternSpec } from '../recording/matcher';
import { matchesFilter } from '../session';
import { timeOf } from '../time';
import { DEFAULT_CONCURRENCY } from '../settings/keys';
import type { CommandDefaults } from '../settings';
import { listOptions, type FilterFlags, type ListOptions } from './list';

export type SearchFormat = 'text' | 'ndjson' | 'json';

export interface SearchOptions {
  pattern: PatternSpec;
  context: number;
  list: ListOptions;
  concurrency: number;
  format: SearchFormat;
}

export interface RawSearchFlags extends FilterFlags {
  regex?: boolean;
  ignoreCase?: boolean;
  context?: number;
  limit?: number;
  concurrency?: number;
  output?: SearchFormat;
  json?: boolean;
}

export const MAX_CONTEXT = 50;

/** `defaults`: the page-size, concurrency and output settings (json or ndjson: search has no table). */
export async function searchOptions(pattern: string, raw: RawSearchFlags, defaults: CommandDefaults = {}): Promise<SearchOptions> {
  const spec: PatternSpec = { pattern, regex: raw.regex === true, ignoreCase: raw.ignoreCase === true };
  // An invalid pattern is a usage error before any request.
  const { compileMatcher } = await import('../recording/matcher');
  compileMatcher(spec);
  const list = listOptions({ socket: raw.socket, user: raw.user, result: raw.result, status: raw.status, type: raw.type, since: raw.since, until: raw.until, limit: raw.limit, all: true, concurrency: raw.concurrency }, { pageSize: defaults.pageSize, concurrency: defaults.concurrency });
  const format = outputFormat(raw, defaults.output ?? 'text') as SearchFormat;
  return { pattern: spec, context: raw.context ?? 0, list, concurrency: raw.concurrency ?? defaults.concurrency ?? DEFAULT_CONCURRENCY, format };
}

interface Task {
  session: Session;
  recordings: Recording[];
  results: Array<Promise<SearchResult>>;
  /** How many of `results` have settled. */
  done: number;
}

const n = (x: number) => x.toLocaleString('en-US');

export async function runSearch(opts: SearchOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const client = await deps.api({ concurrency: opts.concurrency });
  // main.ts keeps V8's young generation small, for long walks that keep little alive;
  // rendering recordings allocates fast and briefly, and there a small young
  // generation spends more time collecting than rendering. Its default growth is back
  // (set after deps.api(), which sets main.ts's flags).
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--semi-space-growth-factor=2');
  const { createSearcher } = await import('../recording/search-pool');
  const { availableParallelism } = await import('node:os');
  // Rendering is most of the work: one thread per core, but none for a one-at-a-time search.
  const searcher = createSearcher(opts.concurrency > 1 ? Math.min(availableParallelism(), 4) : 0);
  const out = new MatchWriter(opts.format, io);
  const counts = { sessions: 0, recordings: 0, matches: 0, failed: 0, skipped: 0 };
  let progress: Progress | undefined = await io.progress('Searching…');
  const status = () => `Searching: ${n(counts.sessions)} sessions · ${n(counts.recordings)} recordings · ${n(counts.matches)} match${counts.matches === 1 ? '' : 'es'}`;

  // Downloads and searches in flight, at most --concurrency.
  let active = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    while (active >= opts.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  const searchOne = async (session: Session, r: Recording): Promise<SearchResult> => {
    await slot();
    try {
      const reply = await client.sessionLog(session.socket_id, session.session_id, r.recording_id, deps.signal);
      return await searcher.search(
        {
          recordingType: r.recording_type,
          body: reply.body,
          contentType: String(reply.headers['content-type'] ?? ''),
          pattern: opts.pattern,
          context: opts.context,
          start: timeOf(r.start_time) ?? timeOf(session.start_time),
        },
        deps.signal,
      );
    } catch (err) {
      if (deps.signal.aborted) throw err;
      // One recording that cannot be read must not end the search of the others.
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      release();
    }
  };

  /** Sessions whose recordings are being searched, in walk order. */
  const pending: Task[] = [];
  const window = opts.concurrency * 4;
  const flush = async (all: boolean) => {
    while (pending.length > 0 && (all || pending.length >= window || pending[0]!.done === pending[0]!.results.length)) {
      const task = pending.shift()!;
      const results = await Promise.all(task.results);
      counts.sessions++;
      const found: Array<{ recording: Recording; matches: Match[] }> = [];
      results.forEach((result, i) => {
        const r = task.recordings[i]!;
        counts.recordings++;
        if (!result.ok) {
          counts.failed++;
          io.warn(`session ${inlineText(task.session.session_id)}, recording ${inlineText(r.recording_id)}: not searched: ${inlineText(result.error)}`);
        } else if ('skipped' in result) {
          counts.skipped++;
        } else if (result.matches.length > 0) {
          found.push({ recording: r, matches: result.matches });
          counts.matches += result.matches.length;
        }
      });
      if (found.length > 0) {
        if (io.stdoutIsTTY) {
          progress?.stop();
          progress = undefined;
        }
        await out.write(task.session, found);
        if (io.stdoutIsTTY) progress = await io.progress(status());
      }
      progress?.update(status());
    }
  };

  try {
    const walk = walkSessions(client, opts.list.hints, {
      pageSize: opts.list.pageSize,
      concurrency: opts.concurrency,
      limit: opts.list.limit,
      since: opts.list.filter.since,
      keep: (s) => matchesFilter(s, opts.list.filter) && recordingsOf(s).length > 0,
      signal: deps.signal,
    });
    for await (const batch of walk) {
      for (const session of batch) {
        const recordings = recordingsOf(session);
        const task: Task = { session, recordings, results: recordings.map((r) => searchOne(session, r)), done: 0 };
        for (const p of task.results) void p.then(() => task.done++, () => task.done++);
        pending.push(task);
        await flush(false);
      }
    }
    await flush(true);
  } finally {
    progress?.stop();
    await out.end();
    await searcher.close();
  }
  const skipped = counts.skipped ? `, ${n(counts.skipped)} with no text (browser sessions)` : '';
  if (io.stderrIsTTY) {
    io.note(io.err.dim(`${n(counts.matches)} match${counts.matches === 1 ? '' : 'es'} in ${n(counts.recordings)} recordings of ${n(counts.sessions)} sessions${skipped}`));
  }
  if (counts.failed > 0) {
    throw new PartialFailure(`${n(counts.failed)} of ${n(counts.recordings)} recordings could not be searched (each is named above); matches in the others are shown`);
  }
  if (counts.matches === 0) throw new NothingFound('nothing matched');
}

function recordingsOf(s: Session): Recording[] {
  return (Array.isArray(s.recordings) ? s.recordings : [])
    .filter((r): r is Recording => typeof r?.recording_id === 'string')
    .sort((a, b) => (timeOf(a.start_time) ?? Infinity) - (timeOf(b.start_time) ?? Infinity));
}

/** The matches of one session, in the chosen format. */
class MatchWriter {
  private first = true;
  constructor(
    private readonly format: SearchFormat,
    private readonly io: Deps['io'],
  ) {}

  async write(session: Session, found: Array<{ recording: Recording; matches: Match[] }>): Promise<void> {
    if (this.format === 'text') return this.io.write(this.text(session, found));
    const records = found.flatMap(({ recording, matches }) => matches.map((m) => record(session, recording, m)));
    if (this.format === 'ndjson') return this.io.write(records.map((r) => `${toJson(r)}\n`).join(''));
    const body = records.map((r) => toJson(r)).join(',\n');
    await this.io.write(`${this.first ? '[\n' : ',\n'}${body}`);
    this.first = false;
  }

  async end(): Promise<void> {
    if (this.format === 'json') await this.io.write(this.first ? '[]\n' : '\n]\n');
  }

  private text(session: Session, found: Array<{ recording: Recording; matches: Match[] }>): string {
    const { out } = this.io;
    const head = [`${inlineText(session.socket_id)}/${inlineText(session.session_id)}`, inlineText(session.start_time), inlineText(session.user_email), inlineText(session.socket_name), inlineText(session.session_type)];
    const lines = [out.bold(head.join('  '))];
    for (const { recording, matches } of found) {
      if (found.length > 1 || recordingsOf(session).length > 1) lines.push(out.dim(`  recording ${inlineText(recording.recording_id)} (${inlineText(recording.recording_type ?? 'unknown type')})`));
      // As grep -C: each line once, in order, whether it is a match or the context of
      // one or more, and "--" where lines are left out between two groups.
      const shown = new Map<number, { text: string; section: Match['section']; match?: Match }>();
      const context = (line: number, text: string, section: Match['section']) => {
        if (!shown.has(line)) shown.set(line, { text, section });
      };
      for (const m of matches) {
        m.before.forEach((text, i) => context(m.line - m.before.length + i, text, m.section));
        shown.set(m.line, { text: m.text, section: m.section, match: m });
        m.after.forEach((text, i) => context(m.line + 1 + i, text, m.section));
      }
      const withContext = matches.some((m) => m.before.length + m.after.length > 0);
      let previous: number | undefined;
      for (const line of [...shown.keys()].sort((a, b) => a - b)) {
        const { text, section, match } = shown.get(line) as { text: string; section: Match['section']; match?: Match };
        if (withContext && previous !== undefined && line > previous + 1) lines.push(out.dim('  --'));
        previous = line;
        if (!match) {
          // A log line starts with its own time; a terminal line gets a column for it.
          lines.push(out.dim(`${section === 'log' ? '  ' : `  ${' '.repeat(20)}  `}${text}`));
          continue;
        }
        const hidden = section === 'hidden' ? out.yellow('  (hidden: printed, then taken off the screen)') : '';
        const when = section === 'log' ? '  ' : `  ${(match.time ?? '').padEnd(20)}  `;
        lines.push(`${when}${highlight(match.text, match.ranges, (t) => out.bold(out.red(t)))}${hidden}`);
      }
    }
    return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
  }
}

function highlight(text: string, ranges: Array<[number, number]>, paint: (s: string) => string): string {
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue;
    out += text.slice(at, start) + paint(text.slice(start, end));
    at = end;
  }
  return out + text.slice(at);
}

/** One match for scripts: the session's fields that say whose it was, and the line. */
function record(s: Session, r: Recording, m: Match): Record<string, unknown> {
  return {
    session_id: s.session_id,
    socket_id: s.socket_id,
    socket_name: s.socket_name ?? null,
    user_email: s.user_email ?? null,
    session_type: s.session_type ?? null,
    start_time: s.start_time ?? null,
    recording_id: r.recording_id,
    recording_type: r.recording_type ?? null,
    line: m.line,
    section: m.section,
    time: m.time ?? null,
    text: m.text,
    before: m.before,
    after: m.after,
  };
}
