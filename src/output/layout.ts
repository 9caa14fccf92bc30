// Column layout for terminal tables: display widths (emoji and CJK count double),
// truncation with an ellipsis, and shrinking columns to fit the screen. Linear in the
// number of rows, unlike cli-table3, so it also serves tables of thousands of rows.
import stringWidth from 'string-width';

export interface Column {
  header: string;
  /** The widest a value of a fixed format can be: rows that arrive after the layout is set still fit. */
  floor?: number;
  /** Narrowest the column may be squeezed to; columns without it are never squeezed. */
  min?: number;
  /** Dropped first when even squeezing cannot fit the screen (lower goes first). */
  priority: number;
  align?: 'left' | 'right';
}

export const GAP = '  ';

export function width(text: string): number {
  // Plain ASCII is the common case and needs no grapheme segmentation.
  return /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text);
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

export function pad(text: string, size: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Widths for the given columns and rows so that the table fits `screen` columns:
 * squeezable columns shrink (widest first) down to their minimum, then the
 * lowest-priority columns are dropped. Returns the indexes of the kept columns too.
 * When more rows will come after the layout is fixed, fixed-format columns get room for
 * their widest possible value.
 */
export function fitColumns(
  columns: readonly Column[],
  rows: readonly string[][],
  screen: number,
  opts: { moreRowsToCome?: boolean } = {},
): { keep: number[]; widths: number[] } {
  const floor = (c: Column) => (opts.moreRowsToCome ? (c.floor ?? 0) : 0);
  const natural = columns.map((c, i) => rows.reduce((w, r) => Math.max(w, width(r[i] ?? '')), Math.max(width(c.header), floor(c))));
  let keep = columns.map((_, i) => i);
  const total = (ws: number[]) => keep.reduce((sum, i) => sum + (ws[i] ?? 0), 0) + GAP.length * (keep.length - 1);
  const widths = [...natural];
  for (;;) {
    let over = total(widths) - screen;
    // Take one character at a time from the widest squeezable column.
    while (over > 0) {
      let widest = -1;
      for (const i of keep) {
        const min = columns[i]?.min;
        if (min !== undefined && (widths[i] ?? 0) > Math.max(min, width(columns[i]?.header ?? '')) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
      }
      if (widest < 0) break;
      widths[widest] = (widths[widest] ?? 0) - 1;
      over--;
    }
    if (over <= 0 || keep.length <= 1) return { keep, widths };
    const drop = keep.reduce((lo, i) => ((columns[i]?.priority ?? 0) < (columns[lo]?.priority ?? 0) ? i : lo), keep[0] as number);
    keep = keep.filter((i) => i !== drop);
  }
}
