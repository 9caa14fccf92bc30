// Every server string is hostile: names, emails and recordings are written by the
// session's user. Before text reaches a terminal (or a spreadsheet), anything that a
// terminal would interpret is replaced by a visible escape such as `\x1b` or `\u202e`.

// C0 controls (except TAB and LF, handled per mode), DEL, C1 controls, bidi embeddings,
// overrides and isolates, line/paragraph separators, and the BOM / zero-width no-break space.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const UNSAFE_INLINE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Any value the server sent, as text. Not String(): JSON such as {"toString": 1} makes
 * String() throw, and a crafted response must not be able to crash b0s.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return String(value);
}

/** For one table cell or key/value: every control character, newlines included, made visible. */
export function inlineText(value: unknown): string {
  return textOf(value).replace(UNSAFE_INLINE, escapeChar);
}

/**
 * For multi-line text (a recording's dump): newlines and tabs stay, CRLF becomes LF,
 * and every other control character (a bare CR included) is made visible.
 */
export function multilineText(value: string): string {
  return value.replace(/\r\n/g, '\n').replace(UNSAFE, escapeChar);
}

/** True when the text holds anything `inlineText` would rewrite. */
export function hasUnsafeChars(value: string): boolean {
  UNSAFE_INLINE.lastIndex = 0;
  return UNSAFE_INLINE.test(value);
}
