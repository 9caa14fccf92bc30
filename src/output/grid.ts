// A small table of a few columns (settings, stats): on a terminal, a bold header and
// padded columns; in a pipe, tab-separated lines without a header. Cells are made inert.
import type { IO } from '../io';
import { pad, width } from './layout';
import { inlineText } from '../text';

export interface GridColumn {
  header: string;
  align?: 'left' | 'right';
}

export function renderGrid(columns: readonly GridColumn[], rows: readonly unknown[][], io: IO): string {
  const cells = rows.map((r) => columns.map((_, i) => inlineText(r[i])));
  if (!io.stdoutIsTTY) return cells.map((r) => `${r.join('\t')}\n`).join('');
  const widths = columns.map((c, i) => cells.reduce((w, r) => Math.max(w, width(r[i] ?? '')), width(c.header)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => pad(cell, i === r.length - 1 && columns[i]?.align !== 'right' ? 0 : (widths[i] ?? 0), columns[i]?.align))
      .join('  ')
      .trimEnd();
  return [io.out.bold(line(columns.map((c) => c.header))), ...cells.map(line)].map((l) => `${l}\n`).join('');
}
