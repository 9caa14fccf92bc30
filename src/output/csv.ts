// RFC 4180 CSV for spreadsheets, which means for people: control characters and bidi
// overrides are shown as visible escapes, as everywhere a human reads b0s's output, and
// cells a spreadsheet would run as a formula are made inert (OWASP "CSV injection": a
// leading = + - @ TAB or CR).
import { inlineText } from '../text';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = inlineText(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() || text.startsWith("'") ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
