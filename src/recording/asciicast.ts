// Terminal recordings are asciicast v2 (border0-api.md, "Recordings"): a header line,
// then one `[seconds, code, data]` event per line. Older (v1) and newer (v3) files are
// converted to the v2 shape so that one renderer and one writer serve them all.

import type { AsciicastHeader } from '../api/types';
import { FormatError } from '../errors';
import { jsonText, textOf, jsonOf } from '../text';

/** `[seconds since start, code, data]`: "o" output, "i" input, "r" resize, "m" marker, or other. */
export type AsciicastEvent = [number, string, string];

export interface Asciicast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
  /** The recording began with events, no header: the header is the default one. */
  headerless?: boolean;
}

const DEFAULT_WIDTH = 80;
const DEFAULT_HEIGHT = 24;

/** Parses asciicast v2 (also v1 and v3, converted to v2). Throws FormatError when it is not one. */
export function parseAsciicast(text: string): Asciicast {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  // v1 is one JSON document, usually pretty-printed over many lines; v2 and v3 are one
  // value per line, so the whole text only parses when it is v1 or a bare v2 header.
  const whole = wholeDocument(body);
  if (whole !== undefined) return fromDocument(whole);

  const lines = body.split('\n');
  let header: AsciicastHeader | undefined;
  let headerless = false;
  let relative = false;
  let clock = 0;
  const events: AsciicastEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    // v3 allows comment lines.
    if (line === '' || (relative && line.startsWith('#'))) continue;
    const value = parseLine(line, i + 1);
    if (header === undefined && isEvent(value)) {
      // Events with no header line before them (a recorder that lost it, or a cut
      // file): played on a terminal of the default size rather than shown as JSON.
      header = { version: 2, width: DEFAULT_WIDTH, height: DEFAULT_HEIGHT };
      headerless = true;
    }
    if (header === undefined) {
      ({ header, relative } = headerFrom(value, i + 1));
      continue;
    }
    const event = eventFrom(value, i + 1);
    if (relative) {
      // v3 stores the interval since the previous event.
      clock += event[0];
      event[0] = clock;
    }
    events.push(event);
  }
  if (header === undefined) throw new FormatError('recording is empty: no asciicast header');
  return headerless ? { header, events, headerless } : { header, events };
}

/** `[seconds, "code", ...]`: what an asciicast event line looks like. */
export function isEvent(value: unknown): boolean {
  return Array.isArray(value) && value.length >= 2 && seconds(value[0]) !== undefined && typeof value[1] === 'string';
}

function wholeDocument(body: string): Record<string, unknown> | undefined {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function fromDocument(doc: Record<string, unknown>): Asciicast {
  if (doc.version === 1) return fromV1(doc);
  // A header with no events: a session that printed nothing.
  return { header: headerFrom(doc, 1).header, events: [] };
}

function fromV1(doc: Record<string, unknown>): Asciicast {
  const { stdout, version: _version, width, height, ...rest } = doc;
  if (!Array.isArray(stdout)) throw new FormatError('asciicast v1 recording has no "stdout" frame list');
  const events: AsciicastEvent[] = [];
  let clock = 0;
  stdout.forEach((frame: unknown, i) => {
    if (!Array.isArray(frame) || typeof frame[1] !== 'string') {
      throw new FormatError(`asciicast v1 frame ${i + 1} is not [delay, "text"]`);
    }
    const delay = seconds(frame[0]);
    if (delay === undefined) throw new FormatError(`asciicast v1 frame ${i + 1} has no valid delay`);
    clock += delay;
    events.push([clock, 'o', frame[1]]);
  });
  const header: AsciicastHeader = { version: 2, width: dimension(width, DEFAULT_WIDTH), height: dimension(height, DEFAULT_HEIGHT), ...rest };
  return { header, events };
}

function parseLine(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new FormatError(`asciicast line ${lineNo} is not valid JSON`);
  }
}

function headerFrom(value: unknown, lineNo: number): { header: AsciicastHeader; relative: boolean } {
  if (!isObject(value) || !('version' in value)) {
    throw new FormatError(`asciicast line ${lineNo} is not a header: expected {"version": 2, ...}`);
  }
  const { version, width, height, ...others } = value;
  if (version === 2) {
    return { header: { version: 2, width: dimension(width, DEFAULT_WIDTH), height: dimension(height, DEFAULT_HEIGHT), ...others }, relative: false };
  }
  if (version === 3) {
    const { term, ...rest } = others;
    const t = isObject(term) ? term : {};
    const { cols, rows, ...termRest } = t;
    const header: AsciicastHeader = { version: 2, width: dimension(cols, DEFAULT_WIDTH), height: dimension(rows, DEFAULT_HEIGHT), ...rest };
    // v2 keeps the terminal type in env.TERM and the theme at the top level.
    if (typeof termRest.type === 'string') {
      const env = isObject(header.env) ? header.env : {};
      header.env = { ...env, TERM: termRest.type };
    }
    if (termRest.theme !== undefined && header.theme === undefined) header.theme = termRest.theme;
    return { header, relative: true };
  }
  throw new FormatError(`asciicast version ${describe(version)} is not supported (expected 2)`);
}

function eventFrom(value: unknown, lineNo: number): AsciicastEvent {
  if (!Array.isArray(value) || value.length < 2) {
    throw new FormatError(`asciicast line ${lineNo} is not an event: expected [time, code, data]`);
  }
  const time = seconds(value[0]);
  if (time === undefined) throw new FormatError(`asciicast line ${lineNo} has no valid event time`);
  // Unknown codes are kept: a renderer skips what it does not know, a writer keeps it.
  const code = typeof value[1] === 'string' ? value[1] : textOf(value[1]);
  const raw: unknown = value[2];
  const data = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : jsonOf(raw);
  return [time, code, data];
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function dimension(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  const s = jsonOf(value);
  return s.length > 20 ? `${s.slice(0, 20)}...` : s;
}

// Printing the file must not drive a terminal either: the same \u escapes as JSON output.
const safeJson = (value: unknown): string => jsonText(value);

/**
 * A normalised asciicast v2 file (what `--format asciicast` writes): a header line,
 * then one event per line, newline-terminated. asciinema 3 reads v2 strictly (serde:
 * width and height u16, timestamp u64, env all strings, a resize "COLSxROWS", a
 * non-empty code), and one ill-typed value makes `asciinema play` refuse the whole
 * file, so such values are dropped or clamped here. Output is ASCII-safe JSON:
 * printing it cannot drive a terminal.
 */
export function toAsciicast(cast: Asciicast): string {
  const out = [safeJson(normaliseHeader(cast.header))];
  for (const [time, code, data] of cast.events) {
    if (code === '') continue;
    if (code === 'r' && parseResize(data) === undefined) continue;
    out.push(safeJson([Number.isFinite(time) && time > 0 ? time : 0, code, data]));
  }
  return `${out.join('\n')}\n`;
}

/**
 * The same recording as asciicast v3 (what asciinema 3 writes): the size and terminal
 * type in a `term` object, and each event's time as the interval since the one before,
 * in whole milliseconds. The intervals are taken between rounded absolute times, so
 * their sum is always the last event's time rounded, however many there are: rounding
 * each interval on its own would drift by up to half a millisecond per event.
 */
export function toAsciicastV3(cast: Asciicast): string {
  const out = [safeJson(v3Header(normaliseHeader(cast.header)))];
  let previous = 0;
  for (const [time, code, data] of cast.events) {
    if (code === '') continue;
    if (code === 'r' && parseResize(data) === undefined) continue;
    // Out-of-order times (a recorder's clock stepping back) become a zero interval.
    const at = Math.max(previous, Number.isFinite(time) && time > 0 ? Math.round(time * 1000) : 0);
    out.push(safeJson([(at - previous) / 1000, code, data]));
    previous = at;
  }
  return `${out.join('\n')}\n`;
}

function v3Header(v2: Record<string, unknown>): Record<string, unknown> {
  const { version: _v, width, height, env, theme, ...rest } = v2;
  const term: Record<string, unknown> = { cols: width, rows: height };
  let others = env as Record<string, string> | undefined;
  if (others?.TERM !== undefined) {
    const { TERM, ...remaining } = others;
    term.type = TERM;
    others = Object.keys(remaining).length > 0 ? remaining : undefined;
  }
  if (theme !== undefined) term.theme = theme;
  return { version: 3, term, ...rest, ...(others ? { env: others } : {}) };
}

const U16_MAX = 65535;
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

function normaliseHeader(h: AsciicastHeader): Record<string, unknown> {
  const { version: _v, width, height, timestamp, idle_time_limit, command, title, env, theme, ...rest } = h;
  const out: Record<string, unknown> = {
    version: 2,
    width: Math.min(dimension(width, DEFAULT_WIDTH), U16_MAX),
    height: Math.min(dimension(height, DEFAULT_HEIGHT), U16_MAX),
  };
  if (typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp >= 0) out.timestamp = Math.floor(timestamp);
  if (typeof idle_time_limit === 'number' && Number.isFinite(idle_time_limit)) out.idle_time_limit = idle_time_limit;
  if (typeof command === 'string') out.command = command;
  if (typeof title === 'string') out.title = title;
  if (isObject(env)) {
    const strings = Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (strings.length > 0) out.env = Object.fromEntries(strings);
  }
  if (isTheme(theme)) out.theme = theme;
  // Fields asciinema does not know are ignored by it, and may matter to whoever wrote them.
  return { ...out, ...rest };
}

function isTheme(value: unknown): boolean {
  if (!isObject(value) || typeof value.fg !== 'string' || typeof value.bg !== 'string' || typeof value.palette !== 'string') return false;
  const palette = value.palette.split(':');
  return HEX_COLOR.test(value.fg) && HEX_COLOR.test(value.bg) && (palette.length === 8 || palette.length === 16) && palette.every((c) => HEX_COLOR.test(c));
}

/** The size in a resize ("r") event's data, "COLSxROWS". */
export function parseResize(data: string): { cols: number; rows: number } | undefined {
  const m = /^\s*(\d{1,5})x(\d{1,5})\s*$/.exec(data);
  if (!m) return undefined;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  return cols > 0 && rows > 0 && cols <= U16_MAX && rows <= U16_MAX ? { cols, rows } : undefined;
}
