// Column layout for terminal tables: display widths (emoji and CJK count double),
// truncation with an ellipsis, and shrinking columns to fit the screen. Linear in the
// number of rows, unlike cli-table3, so it also serves tables of thousands of rows.
import type StringWidth from 'string-width';

export interface Column {
  header: string;
  /** The widest a value of a fixed format can be: rows that arrive after the layout is set still fit. */
  floor?: number;
  /** Narrowest the column may be squeezed to; columns without it are never squeezed (a client IP cut short is worse than none). */
  min?: number;
  /** Emails: squeezed by shortening the part before the @, never the domain (example.net is not example.com). */
  email?: boolean;
  /** The order in which columns give way to fit the screen, lowest first: squeezed down to `min` if they can be, then dropped. */
  priority: number;
  align?: 'left' | 'right';
}

export interface Layout {
  /** Indexes of the columns shown, in order. */
  keep: number[];
  widths: number[];
  /** Indexes of the columns dropped to fit the screen. */
  hidden: number[];
}

export const GAP = '  ';

// Loaded on first use: string-width builds an Intl.Segmenter as it loads (~20 ms of ICU
// set-up), which a list of plain ASCII text, or one piped to a script, never needs.
let stringWidth: typeof StringWidth | undefined;

export function width(text: string): number {
  // Plain ASCII is the common case and needs no grapheme segmentation.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  stringWidth ??= (require('string-width') as { default: typeof StringWidth }).default;
  return stringWidth(text);
}

export function truncate(text: string, max: number): string {
  if (width(text) <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  let out = '';
  let used = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = width(segment);
    if (used + w > max - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** `mallory…@example.net`: the part before the @ gives way, the domain stays whole while it fits. */
export function shortenEmail(text: string, max: number): string {
  if (width(text) <= max) return text;
  const at = text.lastIndexOf('@');
  const room = at > 0 ? max - width(text.slice(at)) : 0;
  return room >= 1 ? `${truncate(text.slice(0, at), room)}${text.slice(at)}` : truncate(text, max);
}

/** A cell cut to fit its column, the way the column allows. */
export function fitCell(column: Column | undefined, text: string, max: number): string {
  return column?.email ? shortenEmail(text, max) : truncate(text, max);
}

// Measuring display width is what costs (grapheme by grapheme): a cell is cut to this
// many code units per column it may fill before it is measured at all, so a 120,000
// character name costs what a short one does.
const UNITS_PER_COLUMN = 4;

/** A cell of more than `max` characters cut to `max` display columns, measured on a bounded prefix. */
export function capCell(text: string, max: number): string {
  if (text.length <= max) return text;
  const units = max * UNITS_PER_COLUMN;
  if (text.length <= units) return truncate(text, max);
  let head = text.slice(0, units);
  // Never half of a surrogate pair.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return truncate(`${head}…`, max);
}

/** Lines of at most `max` display columns (hard-wrapped, graphemes kept whole): linear in the text. */
export function wrap(text: string, max: number): string[] {
  if (width(text) <= max) return [text];
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = width(segment);
    if (used + w > max && line !== '') {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += segment;
    used += w;
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function pad(text: string, size: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** An email's domain and one character before it; beyond this, long domains are hostile data and may be cut. */
const EMAIL_MIN_CAP = 40;

/** The widest cell of each column (or its header, or with more rows to come its `floor`). */
export function naturalWidths(columns: readonly Column[], rows: readonly string[][], opts: { moreRowsToCome?: boolean } = {}): number[] {
  return columns.map((c, i) => rows.reduce((w, r) => Math.max(w, width(r[i] ?? '')), Math.max(width(c.header), opts.moreRowsToCome ? (c.floor ?? 0) : 0)));
}

function minWidth(column: Column, rows: readonly string[][], i: number): number | undefined {
  if (column.min === undefined) return undefined;
  let min = Math.max(column.min, width(column.header));
  if (column.email) {
    for (const r of rows) {
      const cell = r[i] ?? '';
      const at = cell.lastIndexOf('@');
      if (at > 0) min = Math.max(min, Math.min(EMAIL_MIN_CAP, width(cell.slice(at)) + 2));
    }
  }
  return min;
}

/**
 * Widths for the given columns and rows so that the table fits `screen` columns. Past a
 * third of the screen, squeezable columns give way first; then the columns give way one
 * at a time, lowest priority first: each is squeezed toward its minimum if it can be,
 * and dropped if that is not enough. So the least useful columns go before a more useful
 * one loses a character. When more rows will come after the layout is fixed,
 * fixed-format columns get room for their widest possible value.
 */
export function fitColumns(columns: readonly Column[], rows: readonly string[][], screen: number, opts: { moreRowsToCome?: boolean } = {}): Layout {
  const widths = naturalWidths(columns, rows, opts);
  let keep = columns.map((_, i) => i);
  const hidden: number[] = [];
  const over = () => keep.reduce((sum, i) => sum + (widths[i] ?? 0), 0) + GAP.length * (keep.length - 1) - screen;
  // One very long value (a hostile name) must not push every other column out: first,
  // no squeezable column takes more than a third of the screen.
  const share = Math.floor(screen / 3);
  for (const i of keep) {
    const min = minWidth(columns[i] as Column, rows, i);
    if (over() > 0 && min !== undefined && (widths[i] ?? 0) > Math.max(min, share)) widths[i] = Math.max(min, share, (widths[i] ?? 0) - over());
  }
  const order = keep.slice().sort((a, b) => (columns[a]?.priority ?? 0) - (columns[b]?.priority ?? 0));
  for (const i of order) {
    if (over() <= 0 || keep.length <= 1) break;
    const min = minWidth(columns[i] as Column, rows, i);
    if (min !== undefined && (widths[i] ?? 0) > min) widths[i] = Math.max(min, (widths[i] ?? 0) - over());
    if (over() <= 0) break;
    keep = keep.filter((k) => k !== i);
    hidden.push(i);
  }
  return { keep, widths, hidden: hidden.sort((a, b) => a - b) };
}
