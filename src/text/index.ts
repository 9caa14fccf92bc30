// Terminal-safe text: the one definition of the characters b0s never lets reach a person
// as they are, and how they are shown instead. Every server string is hostile (names,
// emails, IDs and recordings are written by the people whose sessions they describe),
// and so is anything derived from one: an error message that quotes it, a path built
// from it. A terminal acts on control characters (ESC starts sequences that retitle,
// clear or rewrite the screen), and format characters change what text seems to say
// without showing themselves (`admin\u200b@example.com` looks like admin@example.com;
// bidi overrides reverse it). Such characters are shown as a visible escape, and a
// backslash in the data as `\\`, so that `\x1b` on screen always means an escaped ESC,
// never the four characters a name might hold.

/**
 * Control characters (C0, DEL, C1), format characters (zero-width spaces and joiners,
 * word joiner, bidi marks, embeddings, overrides and isolates, soft hyphen, Arabic
 * letter mark, BOM, tag characters...), line and paragraph separators, and variation
 * selectors (invisible, yet they make two names differ).
 */
const UNSAFE_CLASS = String.raw`\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}`;

/**
 * Cheap to test, and true of every string that holds a character of UNSAFE_CLASS at or
 * above DEL (astral ones by their high surrogate): most text has none, and skips the
 * slower Unicode-property match. A test checks it against the class over every code point.
 */
export const MAYBE_UNSAFE =
  /[\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb\ud804\ud80d\ud82f\ud834\udb40]/;
const C0_OR_BACKSLASH = /[\u0000-\u001f\\]/;

const INLINE = new RegExp(`[\\\\${UNSAFE_CLASS}]`, 'gu');
// Multi-line text keeps its line feeds and tabs.
const MULTILINE = new RegExp(`(?![\\n\\t])[\\\\${UNSAFE_CLASS}]`, 'gu');
const ANY_UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`, 'u');
// What JSON.stringify leaves raw: all of the class but C0 (which it escapes already).
const JSON_RAW = new RegExp(`(?![\\u0000-\\u001f])[${UNSAFE_CLASS}]`, 'gu');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0) as number;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * Any value the server sent, as text. Not String(): JSON such as {"toString": 1} makes
 * String() throw, and a crafted response must not be able to crash b0s.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return jsonOf(value);
  return String(value);
}

/** For one table cell, value or message: every unsafe character, newlines included, made visible. */
export function inlineText(value: unknown): string {
  const text = textOf(value);
  return C0_OR_BACKSLASH.test(text) || MAYBE_UNSAFE.test(text) ? text.replace(INLINE, escapeChar) : text;
}

/**
 * For multi-line text (a recording's dump): newlines and tabs stay, CRLF becomes LF,
 * and every other unsafe character (a bare CR included) is made visible.
 */
export function multilineText(value: string): string {
  const text = value.replace(/\r\n/g, '\n');
  return C0_OR_BACKSLASH.test(text) || MAYBE_UNSAFE.test(text) ? text.replace(MULTILINE, escapeChar) : text;
}

/** True when the text holds a character `inlineText` shows as an escape (a backslash aside). */
export function hasUnsafeChars(value: string): boolean {
  return ANY_UNSAFE.test(value);
}

/**
 * JSON text with every unsafe character as a \u escape. JSON.stringify escapes C0
 * controls but leaves DEL, C1, format characters and separators raw, which a terminal
 * would act on when the JSON is printed; as \u escapes they parse back to the very same
 * strings, so the data is unchanged.
 */
export function jsonText(value: unknown, indent?: number): string {
  const json = jsonOf(value, indent);
  if (!MAYBE_UNSAFE.test(json)) return json;
  return json.replace(JSON_RAW, (ch) => Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

/**
 * JSON.stringify for parsed JSON, at any depth: V8's stringify recurses and overflows
 * the stack on a value nested a few thousand levels deep (which JSON.parse reads
 * fine), so one hostile session would end a whole export. Such values are written by
 * a loop instead.
 */
export function jsonOf(value: unknown, indent = 0): string {
  try {
    return JSON.stringify(value, null, indent) ?? 'null';
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return deepJson(value, indent);
  }
}

const MAX_INDENTED_DEPTH = 32;

type Frame = { entries: Array<[key: string | undefined, value: unknown]>; next: number; array: boolean };

function deepJson(root: unknown, indent: number): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  // Indented as JSON.stringify would, but only so deep: indentation alone would grow a
  // value nested thousands of levels into gigabytes.
  const newline = (depth: number) => (indent && depth <= MAX_INDENTED_DEPTH ? `\n${' '.repeat(indent * depth)}` : '');
  const put = (value: unknown) => {
    if (value === null || typeof value !== 'object') {
      out.push(typeof value === 'number' && !Number.isFinite(value) ? 'null' : (JSON.stringify(value) ?? 'null'));
      return;
    }
    const array = Array.isArray(value);
    const entries: Frame['entries'] = array
      ? (value as unknown[]).map((v) => [undefined, v])
      : Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
    if (entries.length === 0) out.push(array ? '[]' : '{}');
    else {
      out.push(array ? '[' : '{');
      stack.push({ entries, next: 0, array });
    }
  };
  put(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next === frame.entries.length) {
      stack.pop();
      out.push(newline(stack.length), frame.array ? ']' : '}');
      continue;
    }
    const [key, value] = frame.entries[frame.next++] as Frame['entries'][number];
    out.push(frame.next > 1 ? ',' : '', newline(stack.length));
    if (!frame.array) out.push(JSON.stringify(key), indent ? ': ' : ':');
    put(value);
  }
  return out.join('');
}

// The styling b0s itself puts on its notes (chalk's codes for bold, dim, red, green,
// yellow, cyan and their resets): the only escape sequences let through to stderr.
const OWN_STYLE = /\u001b\[(?:0|1|2|22|31|32|33|36|39)m/y;

/**
 * A line for stderr: every unsafe character escaped, except b0s's own colour codes.
 * The last line of defence for notes and warnings, whose server parts are escaped where
 * they are built: a raw server string that slips through cannot act on the terminal
 * (a stray colour code aside), nor hide text (concealed or overwritten).
 */
export function terminalLine(line: string): string {
  let out = '';
  let from = 0;
  for (let i = line.indexOf('\u001b'); i >= 0; i = line.indexOf('\u001b', i + 1)) {
    OWN_STYLE.lastIndex = i;
    if (!OWN_STYLE.test(line)) continue;
    out += escapeExceptNewlines(line.slice(from, i)) + line.slice(i, OWN_STYLE.lastIndex);
    from = OWN_STYLE.lastIndex;
    i = from - 1;
  }
  return out + escapeExceptNewlines(line.slice(from));
}

// Notes may run over several lines (a prompt listing sessions): line feeds stay.
const NOTE_UNSAFE = new RegExp(`(?![\\n])[${UNSAFE_CLASS}]`, 'gu');
const escapeExceptNewlines = (text: string) => text.replace(NOTE_UNSAFE, escapeChar);
