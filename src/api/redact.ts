// Keeping the token out of what b0s repeats from a server. A hostile server (or a proxy
// that echoes request headers) can send the token back in many disguises: raw,
// JSON-escaped (`\u0074…`, `\/`), percent-encoded, as HTML entities, in base64 or hex,
// or one disguise inside another. Redaction therefore looks at the text with up to two
// layers of escaping undone and cuts the matching stretch out of the original text.
// A fragment of the token that survives (an excerpt cut in the middle of it) is caught by
// `holdsPart`, and the caller then shows nothing of that text at all.

const REDACTED = '[token]';

/** Consecutive characters of the token (or of one of its encodings) that make text unshowable. */
const RUN = 12;

export interface Redactor {
  /** The text with every form of the token replaced by `[token]`. */
  scrub(text: string): string;
  /** True when the text holds a run of the token's characters, in any of its forms: it must not be shown. */
  holdsPart(text: string): boolean;
}

export function redactor(token: string): Redactor {
  const forms = tokenForms(token);
  const run = Math.min(RUN, token.length);
  const parts = new Set<string>();
  for (const form of forms) for (let i = 0; i + run <= form.length; i++) parts.add(form.slice(i, i + run));

  return {
    scrub(text) {
      if (token === '') return text;
      const spans: Array<[number, number]> = [];
      for (const view of views(text)) {
        for (const form of forms) {
          for (let i = view.text.indexOf(form); i !== -1; i = view.text.indexOf(form, i + 1)) {
            spans.push([view.start[i] ?? 0, view.end[i + form.length - 1] ?? text.length]);
          }
        }
      }
      return cut(text, spans);
    },
    holdsPart(text) {
      if (token === '') return false;
      for (const view of views(text)) {
        for (let i = 0; i + run <= view.text.length; i++) if (parts.has(view.text.slice(i, i + run))) return true;
      }
      return false;
    },
  };
}

/** The token itself and the encodings of it that decoding text cannot undo. */
function tokenForms(token: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  const forms = new Set([token, bytes.toString('hex'), bytes.toString('hex').toUpperCase()]);
  // base64 of the token at each of the three alignments it can have inside a longer
  // encoded text: only the characters that depend on the token's bytes alone.
  for (let align = 0; align < 3; align++) {
    const n = align + bytes.length;
    const from = [0, 2, 3][align] ?? 0;
    const to = Math.floor(n / 3) * 4 + ([0, 1, 2][n % 3] ?? 0);
    const b64 = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64').slice(from, to);
    if (b64.length >= 8) forms.add(b64).add(b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((f) => f !== '');
}

/** Text with some escaping undone; decoded character i came from original text [start[i], end[i]). */
interface View {
  text: string;
  start: number[];
  end: number[];
}

/**
 * The text as it is; with one kind of escaping undone alone (so a token that holds a
 * `%41` is still found in its JSON-escaped form) or all kinds together; and each of
 * those with one layer more undone the same ways (an escape inside an escape).
 */
function views(text: string): View[] {
  const raw: View = { text, start: [], end: [] };
  for (let i = 0; i < text.length; i++) {
    raw.start.push(i);
    raw.end.push(i + 1);
  }
  if (![...STARTERS].some((c) => text.includes(c))) return [raw];
  const kinds = [...STARTERS, STARTERS];
  const once = kinds.map((starters) => decodeOnce(raw, starters));
  const all = [raw, ...once, ...once.flatMap((v) => kinds.map((starters) => decodeOnce(v, starters)))];
  return all.filter((v, i) => all.findIndex((w) => w.text === v.text) === i);
}

// JSON and JavaScript escapes, percent-encoding, HTML character references, by the
// character each kind begins with.
const STARTERS = '\\%&';
const ESCAPE = /\\u([0-9a-f]{4})|\\x([0-9a-f]{2})|\\(["\\/'bfnrt])|%([0-9a-f]{2})|&#x([0-9a-f]{1,4});|&#(\d{1,5});|&(amp|lt|gt|quot|apos);/iy;
const SIMPLE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The view with one layer of the escapes that begin with one of `starters` undone. */
function decodeOnce(view: View, starters: string): View {
  const { text } = view;
  const out: View = { text: '', start: [], end: [] };
  const chars: string[] = [];
  for (let i = 0; i < text.length; ) {
    let ch = text[i] as string;
    let len = 1;
    if (starters.includes(ch)) {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(text);
      const decoded = m ? decodeMatch(m) : undefined;
      if (m && decoded !== undefined) {
        ch = decoded;
        len = m[0].length;
      }
    }
    chars.push(ch);
    out.start.push(view.start[i] as number);
    out.end.push(view.end[i + len - 1] as number);
    i += len;
  }
  out.text = chars.join('');
  return out;
}

function decodeMatch(m: RegExpExecArray): string | undefined {
  const [, u, x, simple, pct, hexRef, decRef, named] = m;
  const code = u ?? x ?? pct ?? hexRef;
  if (code !== undefined) return String.fromCharCode(parseInt(code, 16));
  if (decRef !== undefined) return Number(decRef) <= 0xffff ? String.fromCharCode(Number(decRef)) : undefined;
  if (simple !== undefined) return SIMPLE[simple] ?? simple;
  return named === undefined ? undefined : NAMED[named.toLowerCase()];
}

/** The text with the given [start, end) spans replaced by `[token]`, overlapping ones merged. */
function cut(text: string, spans: Array<[number, number]>): string {
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of spans) {
    const last = merged[merged.length - 1];
    if (last && from < last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  let out = '';
  let at = 0;
  for (const [from, to] of merged) {
    out += text.slice(at, from) + REDACTED;
    at = to;
  }
  return out + text.slice(at);
}
