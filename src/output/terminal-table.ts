// The list as a table on a terminal: columns sized to the first rows (up to TABLE_CAP held
// back), fitted to the screen, then rows streamed as they arrive.
import type { IO } from '../io';
import { capCell, fitCell, fitColumns, GAP, naturalWidths, pad, type Layout } from './layout';
import { listColumns, statusColumn, statusPainter, TABLE_CAP, tableCells, type ListWriter, type ListWriterOptions } from './list-writer';

/** With --wide a value is still cut at this many columns: past that it is hostile data, not a name. */
export const WIDE_CELL_MAX = 1000;

export function terminalTable(io: IO, opts: ListWriterOptions): ListWriter {
  const cap = opts.tableCap ?? TABLE_CAP;
  const paint = statusPainter(io);
  const columns = listColumns(opts);
  const status = statusColumn(columns);
  // No column is ever wider than the screen (or with --wide, WIDE_CELL_MAX): cut before measuring.
  const cellMax = opts.wide ? Math.max(WIDE_CELL_MAX, io.columns) : io.columns;
  let held: string[][] = [];
  let layout: Layout | undefined;
  let count = 0;

  const render = (row: string[]) => {
    const l = layout as Layout;
    return l.keep
      .map((i, n) => {
        const w = l.widths[i] ?? 0;
        const last = n === l.keep.length - 1;
        // --wide never cuts a cell to its column: a wider row that comes later just sticks out.
        const text = opts.wide ? (row[i] ?? '') : fitCell(columns[i], row[i] ?? '', w);
        const cell = pad(text, last && columns[i]?.align !== 'right' ? 0 : w, columns[i]?.align);
        return i === status ? paint(row[i] ?? '', cell) : cell;
      })
      .join(GAP)
      .trimEnd();
  };

  const flush = async (moreRowsToCome: boolean) => {
    if (!layout) {
      // --wide: every column at its full width, and the terminal wraps what does not fit.
      const l = opts.wide
        ? { keep: columns.map((_, i) => i), widths: naturalWidths(columns, held, { moreRowsToCome }), hidden: [] }
        : fitColumns(columns, held, io.columns, { moreRowsToCome });
      layout = l;
      const header = l.keep.map((i, n) => pad(columns[i]?.header ?? '', n === l.keep.length - 1 ? 0 : (l.widths[i] ?? 0), columns[i]?.align)).join(GAP);
      await io.write(`${io.out.bold(header.trimEnd())}\n`);
    }
    if (held.length) await io.write(`${held.map(render).join('\n')}\n`);
    held = [];
  };

  return {
    get count() {
      return count;
    },
    async write(batch) {
      for (const s of batch) held.push(tableCells(s, { ...opts, terminal: true }).map((c) => capCell(c, cellMax)));
      const before = count;
      count += batch.length;
      if (layout) return flush(true);
      if (count >= cap) {
        await flush(true);
        if (before < cap) {
          io.note(io.err.dim(`(more than ${cap.toLocaleString('en-US')} rows: column widths are now fixed and rows print as they arrive; use -o ndjson for scripts)`));
        }
      }
    },
    async end() {
      if (count > 0) await flush(false);
      const hidden = layout?.hidden.map((i) => columns[i]?.header) ?? [];
      if (hidden.length && io.stderrIsTTY) {
        io.note(io.err.dim(`(${hidden.join(', ')} hidden to fit ${io.columns} columns; --wide shows every column)`));
      }
    },
  };
}
