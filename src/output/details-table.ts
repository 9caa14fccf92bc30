// Key/value rows as a borderless two-column table: cli-table3 wraps long values to the
// screen width on a terminal; in a pipe each row is one `label<TAB>value` line.
import Table from 'cli-table3';
import type { IO } from '../io';
import type { DetailRow } from './session-details';

export function renderDetails(rows: readonly DetailRow[], io: IO): string {
  if (!io.stdoutIsTTY) return rows.map(([k, v]) => `${k}\t${v}\n`).join('');
  const labelWidth = Math.max(...rows.map(([k]) => k.length)) + 2;
  const table = new Table({
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
    // cli-table3 colours heads and borders by itself unless told not to (NO_COLOR would be ignored).
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: [labelWidth, Math.max(20, io.columns - labelWidth)],
    wordWrap: true,
    wrapOnWordBoundary: false,
  });
  // Labels never wrap, so they are emboldened after layout: cli-table3 counts colour
  // codes as width when it wraps.
  for (const [k, v] of rows) table.push([k, v]);
  const lines = table.toString().split('\n').map((line) => {
    const label = line.slice(0, labelWidth);
    return (label.trim() ? io.out.bold(label) + line.slice(labelWidth) : line).trimEnd();
  });
  return `${lines.join('\n')}\n`;
}
