// Writers for `b0s list`: each takes sessions as they arrive and writes them at once
// (a terminal table buffers up to a cap to size its columns, then streams). On an
// error or Ctrl-C, `end()` still leaves valid output: a closed JSON array, whole lines.
import type { Session } from '../api/types';
import type { IO } from '../io';
import { csvRow } from './csv';
import { toJson } from './json';
import type { OutputFormat } from './formats';
import { formatDuration, fullId, locationOf, relativeTime, shortId, socketOf, userOf } from './fields';
import { durationOf, statusOf, type SessionStatus } from '../session';
import { timeOf } from '../time';
import type { Column } from './layout';
import { inlineText, textOf } from '../text';


export interface ListWriter {
  write(batch: readonly Session[]): Promise<void>;
  /**
   * Closes the output. `complete: false` after a failure: what was written stays valid
   * (a closed JSON array, whole lines), and a writer whose output needs every session
   * (--jq over the whole array) writes nothing rather than a wrong result.
   */
  end(opts?: { complete: boolean }): Promise<void>;
  readonly count: number;
}

export interface ListWriterOptions {
  now: number;
  wide: boolean;
  /** --columns: names of the table's or the CSV's columns, in order (checked by listColumnsFor). */
  columns?: readonly string[];
  /** Rows a terminal table holds back to size its columns before it starts streaming. */
  tableCap?: number;
}

export const TABLE_CAP = 1000;

export function createListWriter(format: OutputFormat, io: IO, opts: ListWriterOptions, inner = writerFor(format, io, opts)): ListWriter {
  let ended = false;
  return {
    get count() {
      return inner.count;
    },
    write: (batch) => inner.write(batch),
    // Called on success and again on any failure path: the closing bracket goes out once.
    async end(opts) {
      if (ended) return;
      ended = true;
      await inner.end(opts);
    },
  };
}

function writerFor(format: OutputFormat, io: IO, opts: ListWriterOptions): ListWriter {
  switch (format) {
    case 'json':
      return jsonWriter(io);
    case 'ndjson':
      return lineWriter(io, (s) => `${toJson(s)}\n`);
    case 'csv':
      return csvWriter(io, opts);
    case 'table':
      return io.stdoutIsTTY ? loadedOnFirstUse(async () => (await import('./terminal-table')).terminalTable(io, opts)) : tsvWriter(io, opts);
  }
}

/**
 * A writer whose code is loaded when the first sessions arrive: the terminal table
 * measures text with string-width, which a list piped to a script never needs.
 */
function loadedOnFirstUse(load: () => Promise<ListWriter>): ListWriter {
  let loading: Promise<ListWriter> | undefined;
  let loaded: ListWriter | undefined;
  const writer = () =>
    (loading ??= load().then((w) => {
      loaded = w;
      return w;
    }));
  return {
    get count() {
      return loaded?.count ?? 0;
    },
    write: async (batch) => (await writer()).write(batch),
    end: async (opts) => (await writer()).end(opts),
  };
}

function lineWriter(io: IO, line: (s: Session) => string): ListWriter {
  let count = 0;
  return {
    get count() {
      return count;
    },
    async write(batch) {
      if (batch.length === 0) return;
      count += batch.length;
      await writeInChunks(io, batch, line);
    },
    async end() {},
  };
}

// A page's worth of output is written in pieces of about this many characters: whole
// lines (or whole JSON items) each, few writes, and never a whole huge page held twice.
const CHUNK = 1 << 20;

async function writeInChunks(io: IO, batch: readonly Session[], render: (s: Session, i: number) => string): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  for (const [i, s] of batch.entries()) {
    const text = render(s, i);
    pending.push(text);
    size += text.length;
    if (size >= CHUNK) {
      await io.write(pending.join(''));
      pending = [];
      size = 0;
    }
  }
  if (pending.length) await io.write(pending.join(''));
}

function jsonWriter(io: IO): ListWriter {
  let count = 0;
  const item = (s: Session) => `  ${toJson(s, 2).replace(/\n/g, '\n  ')}`;
  return {
    get count() {
      return count;
    },
    async write(batch) {
      if (batch.length === 0) return;
      const first = count === 0;
      count += batch.length;
      await writeInChunks(io, batch, (s, i) => `${i === 0 && first ? '[\n' : ',\n'}${item(s)}`);
    },
    async end() {
      await io.write(count === 0 ? '[]\n' : '\n]\n');
    },
  };
}

/** A CSV column: its header and its value for a session. */
interface CsvColumn {
  name: string;
  cell(s: Session, now: number): unknown;
}

export const CSV_COLUMNS: readonly CsvColumn[] = [
  { name: 'session_id', cell: (s) => s.session_id },
  { name: 'socket_id', cell: (s) => s.socket_id },
  { name: 'socket_name', cell: (s) => s.socket_name },
  { name: 'start_time', cell: (s) => s.start_time },
  { name: 'end_time', cell: (s) => s.end_time },
  { name: 'status', cell: (s) => statusOf(s) },
  {
    name: 'duration_seconds',
    cell: (s, now) => {
      const ms = durationOf(s, now);
      return ms === undefined ? '' : Math.round(ms / 1000);
    },
  },
  { name: 'user_email', cell: (s) => s.user_email },
  { name: 'name', cell: (s) => s.name },
  { name: 'session_type', cell: (s) => s.session_type },
  { name: 'server_name', cell: (s) => s.server_name },
  { name: 'server_port', cell: (s) => s.server_port },
  { name: 'client_ip', cell: (s) => s.client_ip },
  { name: 'client_port', cell: (s) => s.client_port },
  { name: 'country_code', cell: (s) => s.metadata?.ip_metadata?.country_code ?? s.country_code },
  { name: 'city', cell: (s) => s.metadata?.ip_metadata?.city_name },
  { name: 'result', cell: (s) => s.result },
  { name: 'killed', cell: (s) => s.killed },
  { name: 'recordings', cell: (s) => (Array.isArray(s.recordings) ? s.recordings.length : 0) },
];

function csvWriter(io: IO, opts: ListWriterOptions): ListWriter {
  const columns = opts.columns ? opts.columns.map((name) => CSV_COLUMNS.find((c) => c.name === name) as CsvColumn) : CSV_COLUMNS;
  const header = csvRow(columns.map((c) => c.name));
  const inner = lineWriter(io, (s) => csvRow(columns.map((c) => c.cell(s, opts.now))));
  let started = false;
  return {
    get count() {
      return inner.count;
    },
    async write(batch) {
      if (!started) {
        started = true;
        await io.write(header);
      }
      await inner.write(batch);
    },
    async end() {
      if (!started) await io.write(header);
    },
  };
}

interface CellContext {
  now: number;
  wide: boolean;
  terminal: boolean;
}

/** A column of the list table: how it is laid out on a terminal, and its cell. */
interface ListColumn extends Column {
  cell(s: Session, ctx: CellContext): string;
}

// On a terminal, columns give way lowest priority first (squeezed to `min` if they
// have one, then dropped): LOCATION (the client IP says it), TYPE (the socket mostly
// says it), DURATION, CLIENT, then SOCKET and USER. Emails lose the part before the @,
// never the domain; a client IP is never cut. Piped, every column is whole.
export const LIST_COLUMNS: readonly ListColumn[] = [
  { header: 'STARTED', priority: 9, floor: 'yyyy-mm-dd'.length, cell: (s, c) => (c.terminal ? relativeTime(timeOf(s.start_time), c.now) : textOf(s.start_time)) },
  { header: 'USER', min: 12, email: true, priority: 8, cell: (s) => userOf(s) },
  { header: 'SOCKET', min: 10, priority: 7, cell: (s) => socketOf(s) },
  { header: 'TYPE', priority: 3, cell: (s) => textOf(s.session_type) },
  { header: 'CLIENT', priority: 5, cell: (s) => textOf(s.client_ip) },
  { header: 'LOCATION', min: 8, priority: 2, cell: (s) => locationOf(s) },
  { header: 'STATUS', priority: 9, floor: 'denied'.length, cell: (s) => statusOf(s) },
  { header: 'DURATION', priority: 4, align: 'right', floor: '99d23h'.length, cell: (s, c) => formatDuration(durationOf(s, c.now)) },
  { header: 'ID', priority: 10, cell: (s, c) => (c.terminal && !c.wide ? shortId(s.session_id) : fullId(s)) },
];

/** --wide appends these (after ID, so piped column numbers never move). */
export const WIDE_COLUMNS: readonly ListColumn[] = [
  { header: 'NAME', priority: 1, cell: (s) => textOf(s.name) },
  { header: 'SERVER', priority: 1, cell: (s) => [s.server_name, s.server_port].map(textOf).filter(Boolean).join(':') },
];

/** A table column's name for --columns: its header in lower case. */
const columnName = (c: ListColumn) => c.header.toLowerCase();

export function listColumns(opts: { wide: boolean; columns?: readonly string[] }): readonly ListColumn[] {
  if (opts.columns) return opts.columns.map((name) => [...LIST_COLUMNS, ...WIDE_COLUMNS].find((c) => columnName(c) === name) as ListColumn);
  return opts.wide ? [...LIST_COLUMNS, ...WIDE_COLUMNS] : LIST_COLUMNS;
}

/** The names --columns accepts for a format (table or csv). */
export function columnNames(format: 'table' | 'csv'): string[] {
  return format === 'csv' ? CSV_COLUMNS.map((c) => c.name) : [...LIST_COLUMNS, ...WIDE_COLUMNS].map(columnName);
}

/** The cells of one list row: relative times and short IDs on a terminal, full values in a pipe. */
export function tableCells(s: Session, ctx: CellContext & { columns?: readonly string[] }): string[] {
  return listColumns(ctx).map((c) => inlineText(c.cell(s, ctx)));
}

/** Colour for a status cell; identity when colour is off. */
export function statusPainter(io: IO): (status: string, cell?: string) => string {
  const paint: Record<SessionStatus, (t: string) => string> = {
    live: io.out.green,
    ended: (t) => t,
    killed: io.out.red,
    denied: io.out.yellow,
  };
  return (status, cell = status) => (paint[status as SessionStatus] ?? ((t: string) => t))(cell);
}

/** Where the STATUS column is among these (-1 when --columns left it out). */
export const statusColumn = (columns: readonly ListColumn[]) => columns.findIndex((c) => c.header === 'STATUS');

/** A pipe gets tab-separated lines: no header, no truncation; colour only if forced. */
function tsvWriter(io: IO, opts: ListWriterOptions): ListWriter {
  const paint = statusPainter(io);
  const status = statusColumn(listColumns(opts));
  return lineWriter(io, (s) => {
    const cells = tableCells(s, { ...opts, terminal: false });
    if (status >= 0) cells[status] = paint(cells[status] ?? '');
    return `${cells.join('\t')}\n`;
  });
}

