// JSON output is the API's own data. JSON.stringify already escapes C0 controls such as
// ESC; these characters it leaves raw would still act on a terminal (C1 controls,
// bidi overrides) or break JavaScript consumers (U+2028/9). As \u escapes they parse
// to exactly the same strings.
// eslint-disable-next-line no-control-regex
const TERMINAL_ACTIVE = /[\u0080-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(TERMINAL_ACTIVE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
