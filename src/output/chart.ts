// Horizontal bar charts for a terminal: one line per label, bars proportional to the
// counts (the largest fills the room left by labels and counts), counts labelled.
// Labels are server strings: made inert, then cut to fit.
import type { IO } from '../io';
import { pad, shortenEmail, truncate, width } from './layout';
import { inlineText } from '../text';

export interface Bar {
  label: string;
  count: number;
}

const BLOCK = '█';
/** Bars never shrink below this, however long the labels. */
const MIN_BAR = 10;

const n = (x: number) => x.toLocaleString('en-US');

/** The width the longest bar gets on a screen this wide, for these labels and counts. */
export function chartLayout(bars: readonly Bar[], columns: number): { labelWidth: number; countWidth: number; barWidth: number } {
  const countWidth = bars.reduce((w, b) => Math.max(w, n(b.count).length), 1);
  const natural = bars.reduce((w, b) => Math.max(w, width(inlineText(b.label))), 1);
  // Labels take at most 40% of the screen: the bars are the point.
  const labelWidth = Math.max(1, Math.min(natural, Math.floor(columns * 0.4), columns - countWidth - MIN_BAR - 3));
  return { labelWidth, countWidth, barWidth: Math.max(MIN_BAR, columns - labelWidth - countWidth - 3) };
}

/** Blocks for one count: proportional to the largest, and at least one for any count above zero. */
export function barLength(count: number, max: number, barWidth: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(1, Math.round((count / max) * barWidth));
}

export function renderChart(bars: readonly Bar[], io: IO): string {
  if (bars.length === 0) return '';
  const { labelWidth, countWidth, barWidth } = chartLayout(bars, io.columns);
  const max = bars.reduce((m, b) => Math.max(m, b.count), 0);
  return bars
    .map((b) => {
      const text = inlineText(b.label);
      const label = pad(text.includes('@') ? shortenEmail(text, labelWidth) : truncate(text, labelWidth), labelWidth);
      const bar = BLOCK.repeat(barLength(b.count, max, barWidth));
      return `${label}  ${io.out.cyan(bar)}${bar ? ' ' : ''}${n(b.count).padStart(bar ? 0 : countWidth)}\n`;
    })
    .join('');
}
