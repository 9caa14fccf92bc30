// Every token the suite hands to b0s. None may ever appear in what b0s writes, in any
// disguise a hostile server could echo it back in.
import { SIM_FORBIDDEN_TOKEN, SIM_TOKEN } from '../../src/simulator';

function jwt(payload: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
}

export { SIM_FORBIDDEN_TOKEN, SIM_TOKEN };
/** Accepted by the simulator only when a test configures it to. */
export const FILE_TOKEN = jwt({ org_id: 'file-org', user_email: 'file@example.com', type: 'admin', iat: 1_700_000_000 });
export const ENV_TOKEN = jwt({ org_id: 'env-org', user_email: 'env@example.com', type: 'admin', iat: 1_700_000_001 });
export const EXPIRED_TOKEN = jwt({ org_id: 'old-org', user_email: 'old@example.com', exp: 1_600_000_000 });
export const FUTURE_TOKEN = jwt({ org_id: 'new-org', user_email: 'new@example.com', exp: 4_100_000_000 });
export const MEMBER_TOKEN = jwt({ org_id: 'sim-org', user_email: 'member@example.com', type: 'member' });
/** Expiries no date can hold (past the year 9999, before the year 0), and one that is not a number. */
export const FAR_TOKEN = jwt({ org_id: 'far-org', user_email: 'far@example.com', exp: 99_999_999_999_999 });
export const BEFORE_TIME_TOKEN = jwt({ org_id: 'far-org', user_email: 'far@example.com', exp: -99_999_999_999_999 });
export const WORDY_EXPIRY_TOKEN = jwt({ org_id: 'far-org', user_email: 'far@example.com', exp: 'tomorrow' });
/** Not a JWT: it holds the characters JSON, URLs and HTML escape (`/`, `<`, `>`, `&`, `"`, `\`, `%`, `+`). */
export const ODD_TOKEN = 'b0s-odd/T0k3n<with>&"every"\\escape%2F+kind/9f8e7d6c5b4a3928';

export const SECRETS = [SIM_TOKEN, SIM_FORBIDDEN_TOKEN, FILE_TOKEN, ENV_TOKEN, EXPIRED_TOKEN, FUTURE_TOKEN, MEMBER_TOKEN, ODD_TOKEN, FAR_TOKEN, BEFORE_TIME_TOKEN, WORDY_EXPIRY_TOKEN];

const ESCAPES = {
  json: /\\u[0-9a-f]{4}|\\["\\/]/gi,
  percent: /%[0-9a-f]{2}/gi,
  html: /&#x[0-9a-f]{1,4};|&#\d{1,5};/gi,
  all: /\\u[0-9a-f]{4}|\\["\\/]|%[0-9a-f]{2}|&#x[0-9a-f]{1,4};|&#\d{1,5};/gi,
};

/** The character one escape (JSON `\uXXXX`, `\/`, `\"`, `\\`; percent; HTML numeric) stands for. */
function decode(escape: string): string {
  if (/^\\u/i.test(escape)) return String.fromCharCode(parseInt(escape.slice(2), 16));
  if (escape.startsWith('\\')) return escape.slice(1);
  if (escape.startsWith('%')) return String.fromCharCode(parseInt(escape.slice(1), 16));
  if (/^&#x/i.test(escape)) return String.fromCharCode(parseInt(escape.slice(3, -1), 16));
  return String.fromCharCode(Number(escape.slice(2, -1)));
}

const unescape = (text: string, kind: keyof typeof ESCAPES) => text.replace(ESCAPES[kind], decode);

/** The text, and the text with escaping undone: each kind alone, all together, and all together twice. */
function views(text: string): Array<[string, string]> {
  // Only lines with an escape in them read differently once unescaped.
  const escaped = text
    .split('\n')
    .filter((line) => /[\\%&]/.test(line))
    .join('\n');
  const all = unescape(escaped, 'all');
  return [
    [text, ''],
    [unescape(escaped, 'json'), ', JSON-escaped'],
    [unescape(escaped, 'percent'), ', percent-encoded'],
    [unescape(escaped, 'html'), ', as HTML references'],
    [all, ', escaped'],
    [unescape(all, 'all'), ', escaped twice'],
  ];
}

/** What of `secret` would give it away: itself, each long part of a JWT, its base64 (at any alignment) and hex. */
function needles(secret: string): Array<[string, string]> {
  const out: Array<[string, string]> = [[secret, 'a token']];
  for (const part of secret.split('.')) if (part !== secret && part.length >= 16) out.push([part, 'part of a token']);
  const bytes = Buffer.from(secret);
  for (let align = 0; align < 3; align++) {
    // The characters that depend on the token's bytes alone, whatever surrounds it.
    const b64 = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64').slice(4, -4);
    out.push([b64, 'a base64 token'], [b64.replace(/\+/g, '-').replace(/\//g, '_'), 'a base64url token']);
  }
  out.push([bytes.toString('hex'), 'a hex token'], [bytes.toString('hex').toUpperCase(), 'a hex token']);
  return out;
}

const ALL = SECRETS.map(needles);

/** Every way one of `secrets` (the suite's test tokens unless given) shows in `text`, raw or escaped: empty when none does. */
export function tokenLeaks(text: string, secrets?: readonly string[]): string[] {
  const seen = views(text);
  const found: string[] = [];
  for (const list of secrets ? secrets.map(needles) : ALL) {
    for (const [needle, what] of list) {
      const view = seen.find(([v]) => v.includes(needle));
      if (view) found.push(`${what}${view[1]} (${needle.slice(0, 6)}…)`);
    }
  }
  return found;
}
