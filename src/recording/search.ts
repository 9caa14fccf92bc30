// One recording searched: the text a person would read in `b0s replay` (a terminal's
// screen text and the lines it hid, a query log's commands and results, a request log's
// lines), each line with the time it was shown. It runs in a worker thread when the
// search has several (search-worker.ts), or in the main thread: the same function
// either way, taking the recording's bytes as the API sent them.

import { FormatError } from '../errors';
import { decodeRecordingBody } from './decode';
import { renderRecording } from './index';
import { sniffKind } from './kind';
import { compileMatcher, type PatternSpec } from './matcher';
import { toRfc3339 } from './time';

export interface SearchRequest {
  recordingType: string | null | undefined;
  body: Uint8Array;
  contentType: string;
  pattern: PatternSpec;
  /** Lines of context before and after each match. */
  context: number;
  /** When the recording started (ms since the epoch), for lines whose time is only relative. */
  start?: number;
}

export type Section = 'screen' | 'hidden' | 'log';

export interface Match {
  /** Line number in what `b0s replay --recording ID` prints for this recording. */
  line: number;
  section: Section;
  /** When the line was shown or the entry logged (RFC 3339), if known. */
  time?: string;
  text: string;
  /** Where the pattern matched in `text`, [start, end) pairs. */
  ranges: Array<[number, number]>;
  before: string[];
  after: string[];
}

export type SearchResult =
  | { ok: true; matches: Match[]; warnings: string[] }
  /** Recordings with nothing to search, such as a browser session's video. */
  | { ok: true; skipped: string }
  | { ok: false; error: string };

interface Line {
  text: string;
  time?: string;
}

// A line of a query or request log starts with its time.
const LEADING_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s/;

/** Never throws for what the recording holds: a recording that cannot be read is a result. */
export async function searchRecording(req: SearchRequest, signal?: AbortSignal): Promise<SearchResult> {
  const matcher = compileMatcher(req.pattern);
  let text: string;
  try {
    text = decodeRecordingBody(req.body, req.contentType);
  } catch (err) {
    return failure(err);
  }
  if (sniffKind(req.recordingType, text) === 'video') return { ok: true, skipped: 'a browser session recording has no text to search' };
  let rendered;
  try {
    rendered = await renderRecording(req.recordingType, text, { signal, lineTimes: true });
  } catch (err) {
    if (signal?.aborted) throw err;
    return failure(err);
  }
  const start = rendered.start ?? req.start;
  const screen: Line[] = rendered.text === '' ? [] : rendered.text.split('\n').map((line, i) => {
    const t = rendered.times?.[i];
    if (t && start !== undefined) return { text: line, time: new Date(start + Math.floor(t.at) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const leading = rendered.times ? undefined : LEADING_TIME.exec(line)?.[1];
    return leading ? { text: line, time: toRfc3339(leading) } : { text: line };
  });
  const section: Section = rendered.times ? 'screen' : 'log';
  const matches = find(screen, section, 1, matcher, req.context);
  const hidden = rendered.hidden.texts.map((t) => ({ text: t }));
  // In `b0s replay`, hidden lines follow the dump and a header line.
  matches.push(...find(hidden, 'hidden', screen.length + 2, matcher, req.context));
  return { ok: true, matches, warnings: rendered.warnings };
}

function find(lines: Line[], section: Section, first: number, matcher: ReturnType<typeof compileMatcher>, context: number): Match[] {
  const out: Match[] = [];
  lines.forEach((line, i) => {
    if (!matcher.test(line.text)) return;
    out.push({
      line: first + i,
      section,
      ...(line.time ? { time: line.time } : {}),
      text: line.text,
      ranges: matcher.ranges(line.text),
      before: lines.slice(Math.max(0, i - context), i).map((l) => l.text),
      after: lines.slice(i + 1, i + 1 + context).map((l) => l.text),
    });
  });
  return out;
}

function failure(err: unknown): SearchResult {
  if (err instanceof FormatError) return { ok: false, error: err.message };
  throw err;
}
