// b0s auth status: which API and token b0s would use, where each came from, what the
// token says about itself, and whether the API accepts it (one request for one session).
// The token itself is never shown.
import { checkToken, expirySeconds, expiryText, jwtClaims, resolveApiUrl, type TokenSource } from '../config';
import type { Deps } from '../deps';
import { AuthError, B0sError } from '../errors';
import { timeFromNow } from '../output/fields';
import { outputFormat } from '../output/formats';
import { toJson } from '../output/json';
import { inlineText, textOf } from '../text';

export interface AuthStatusOptions {
  format: 'table' | 'json';
}

/** `defaultFormat`: the `output` setting, when it is table or json. */
export function authStatusOptions(raw: { output?: 'table' | 'json'; json?: boolean }, defaultFormat?: string): AuthStatusOptions {
  return { format: outputFormat(raw, defaultFormat) as 'table' | 'json' };
}

interface Status {
  api_url: string;
  api_url_source: string;
  profile: string;
  token_source?: string;
  subject?: string;
  organization?: string;
  /** RFC 3339; null when the token (a JWT) has no expiry. Left out when not a JWT, or its expiry is no date. */
  expires_at?: string | null;
  accepted: boolean | null;
  problem?: string;
}

function describeToken(found: TokenSource, status: Status): void {
  status.token_source = found.source;
  const claims = jwtClaims(found.token);
  // Not a JWT: the token says nothing about itself.
  if (!claims) return;
  const subject = claims.sub ?? claims.user_email ?? claims.email;
  if (subject !== undefined) status.subject = textOf(subject);
  const org = claims.org_id ?? claims.org;
  if (org !== undefined) status.organization = textOf(org);
  if (claims.exp === undefined) status.expires_at = null;
  const exp = expirySeconds(claims.exp);
  if (exp !== undefined) status.expires_at = expiryText(exp);
}

export async function runAuthStatus(opts: AuthStatusOptions, deps: Deps): Promise<void> {
  const { settings } = deps;
  const api = resolveApiUrl(settings['api-url']);
  const status: Status = { api_url: api.url.href, api_url_source: api.source, profile: settings.profile.value, accepted: null };
  let failure: B0sError | undefined;
  let asked = false;
  try {
    const found = await deps.findToken();
    describeToken(found, status);
    checkToken(found.token, found.source, deps.now());
    const client = await deps.api({ concurrency: 1 });
    asked = true;
    await client.listSessions({ page: 1, pageSize: 1 }, deps.signal);
    status.accepted = true;
  } catch (err) {
    if (!(err instanceof B0sError)) throw err;
    failure = err;
    if (err instanceof AuthError && asked) status.accepted = false;
    status.problem = err.message;
  }
  // The keys in the README's order: what the token says about itself, then the API's answer.
  const { accepted, problem, ...about } = status;
  const ordered = { ...about, accepted, ...(problem === undefined ? {} : { problem }) };
  await deps.io.write(opts.format === 'json' ? `${toJson(ordered, 2)}\n` : await render(status, asked, deps));
  // The reason is printed once more, by the one error reporter, with its exit code: 3 for
  // no token, an expired one or one the API refused; 1 when the API could not be asked.
  if (failure) throw failure;
}

async function render(s: Status, asked: boolean, deps: Deps): Promise<string> {
  const now = deps.now();
  const expires =
    s.expires_at === undefined ? '-' : s.expires_at === null ? 'never (the token carries no expiry)' : `${s.expires_at} (${timeFromNow(Date.parse(s.expires_at), now)})`;
  const accepted = s.accepted === true ? 'yes (GET /sessions answered)' : s.accepted === false ? 'no' : asked ? 'unknown (the request failed)' : 'not checked';
  const rows: Array<[string, string]> = [
    ['API', `${s.api_url} (from ${s.api_url_source})`],
    ['Profile', s.profile],
    ['Token', s.token_source ? `from ${s.token_source}` : 'none'],
    ['Subject', s.subject ?? '-'],
    ['Organization', s.organization ?? '-'],
    ['Expires', expires],
    ['Accepted', accepted],
  ];
  const { renderDetails } = await import('../output/details-table');
  return renderDetails(
    rows.map(([k, v]) => [k, inlineText(v)]),
    deps.io,
  );
}
