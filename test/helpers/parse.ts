// Parsers for what b0s prints, so tests assert on data rather than on formatting.
import stringWidth from 'string-width';

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks; rows end in CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

export function parseNdjson(text: string): unknown[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('NDJSON output does not end with a newline');
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line));
}

export function tsvRows(text: string): string[][] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * A terminal table (header line, then rows) as one record per row, keyed by header. Cells
 * are read at the display columns where the headers start (emoji and CJK count double),
 * so single spaces inside a cell and empty cells are read right. Colour is removed first.
 */
export function parseTable(text: string): { headers: string[]; rows: Array<Record<string, string>> } {
  const [head = '', ...lines] = stripAnsi(text).replace(/\n$/, '').split('\n');
  const headers = head.trim().split(/\s{2,}/);
  const starts = headers.map((h) => head.indexOf(h));
  const rows = lines.map((line) => {
    const cells: string[] = headers.map(() => '');
    let col = 0;
    for (const { segment } of new Intl.Segmenter().segment(line)) {
      let i = starts.length - 1;
      while (i > 0 && col < (starts[i] as number)) i--;
      cells[i] += segment;
      col += stringWidth(segment);
    }
    return Object.fromEntries(headers.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
  return { headers, rows };
}
