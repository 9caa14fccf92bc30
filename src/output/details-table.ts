// Key/value rows as two columns on a terminal, each value wrapped to the screen under
// its label; in a pipe each row is one `label<TAB>value` line.
import type { IO } from '../io';
import { pad, wrap } from './layout';
import type { DetailRow } from './session-details';

// A screenful or two of one value is enough to read; past that a note says how much more
// there is. Piped output and -o json give every value whole.
const MAX_SHOWN = 4000;

function clipForScreen(value: string): string {
  if (value.length <= MAX_SHOWN) return value;
  return `${value.slice(0, MAX_SHOWN)}… (${(value.length - MAX_SHOWN).toLocaleString('en-US')} more characters: -o json shows it all)`;
}

/**
 * Laid out here rather than by cli-table3, whose measuring is far worse than linear on
 * wide characters (4,000 of them took over 30 s, 10 MB overflowed the stack).
 */
export function renderDetails(rows: readonly DetailRow[], io: IO): string {
  if (!io.stdoutIsTTY) return rows.map(([k, v]) => `${k}\t${v}\n`).join('');
  const labelWidth = Math.max(...rows.map(([k]) => k.length)) + 2;
  const valueWidth = Math.max(20, io.columns - labelWidth);
  const indent = ' '.repeat(labelWidth);
  const out: string[] = [];
  for (const [label, value] of rows) {
    const lines = wrap(clipForScreen(value), valueWidth);
    out.push(`${io.out.bold(pad(label, labelWidth))}${lines[0] ?? ''}`.trimEnd());
    for (const line of lines.slice(1)) out.push(`${indent}${line}`.trimEnd());
  }
  return `${out.join('\n')}\n`;
}
