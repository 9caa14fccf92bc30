// b0s auth status: where the API URL and token come from, what the token says, and
// whether the API accepts it, with exit 3 whenever it would not work.
import { describe, expect, it } from 'vitest';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { BEFORE_TIME_TOKEN, EXPIRED_TOKEN, FAR_TOKEN, FUTURE_TOKEN, ODD_TOKEN, SIM_FORBIDDEN_TOKEN, SIM_TOKEN, WORDY_EXPIRY_TOKEN } from './helpers/secrets';
import { useTempDir } from './helpers/tmp';

const { sim } = useSimulator({ sessions: 20 });
const tmp = useTempDir();

const status = async (token: string | undefined, argv: string[] = []) => {
  sim().resetRequests();
  const env: Record<string, string> = { BORDER0_API: sim().url };
  if (token !== undefined) env.BORDER0_ADMIN_TOKEN = token;
  const r = await b0s(['auth', 'status', ...argv], { env, homedir: tmp('home') });
  return { ...r, requests: sim().requests.length };
};

const fields = (stdout: string) => new Map(stdout.trimEnd().split('\n').map((l) => l.split('\t') as [string, string]));

describe('b0s auth status', () => {
  it('a good token: where it and the API came from, its subject and organisation, accepted with one request (exit 0)', async () => {
    const r = await status(SIM_TOKEN);
    expect(r.code).toBe(0);
    const f = fields(r.stdout);
    expect(f.get('API')).toBe(`${sim().url} (from BORDER0_API)`);
    expect(f.get('Token')).toBe('from BORDER0_ADMIN_TOKEN');
    expect(f.get('Subject')).toBe('admin@example.com');
    expect(f.get('Organization')).toBe('sim-org');
    expect(f.get('Expires')).toBe('never (the token carries no expiry)');
    expect(f.get('Accepted')).toMatch(/^yes/);
    expect(r.requests).toBe(1);
    expect(r.stderr).toBe('');
  });

  it('-o json, for scripts, its keys in the README\'s order', async () => {
    const r = await status(SIM_TOKEN, ['-o', 'json']);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['api_url', 'api_url_source', 'profile', 'token_source', 'subject', 'organization', 'expires_at', 'accepted']);
    expect(Object.keys(JSON.parse((await status(FUTURE_TOKEN, ['-o', 'json'])).stdout)).slice(-2)).toEqual(['accepted', 'problem']);
    expect(JSON.parse(r.stdout)).toEqual({
      api_url: sim().url,
      api_url_source: 'BORDER0_API',
      profile: 'default',
      token_source: 'BORDER0_ADMIN_TOKEN',
      subject: 'admin@example.com',
      organization: 'sim-org',
      expires_at: null,
      accepted: true,
    });
  });

  it('no token: says where it looked, exit 3, no request', async () => {
    const r = await status(undefined, ['-o', 'json']);
    expect(r.code).toBe(3);
    expect(r.requests).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.accepted).toBeNull();
    expect(s.token_source).toBeUndefined();
    expect(r.stderr).toMatch(/^b0s: no token: .*\.border0\/token does not exist/);
  });

  it('an expired token: its expiry, exit 3, no request', async () => {
    const r = await status(EXPIRED_TOKEN);
    expect(r.code).toBe(3);
    expect(r.requests).toBe(0);
    const f = fields(r.stdout);
    // Beside the date in full, how long ago: not the date again.
    expect(f.get('Expires')).toMatch(/^2020-09-13T12:26:40Z \(\d+d ago\)$/);
    expect(f.get('Subject')).toBe('old@example.com');
    expect(f.get('Accepted')).toBe('not checked');
    expect(r.stderr).toContain('expired at 2020-09-13T12:26:40Z');
  });

  it('a token the API refuses (401): exit 3 after one request', async () => {
    const r = await status(FUTURE_TOKEN);
    expect(r.code).toBe(3);
    expect(r.requests).toBe(1);
    const f = fields(r.stdout);
    expect(f.get('Accepted')).toBe('no');
    expect(f.get('Expires')).toMatch(/^2099-\S+ \(in \d+d\)$/);
    expect(r.stderr).toContain('refused the token');
  });

  it('a token without admin rights (403): exit 3', async () => {
    const r = await status(SIM_FORBIDDEN_TOKEN, ['--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: false, subject: 'viewer@example.com' });
  });

  it('an API that cannot be reached is exit 1, not 3', async () => {
    const r = await b0s(['auth', 'status', '--retries', '0'], { env: { BORDER0_API: 'http://127.0.0.1:9/api/v1', BORDER0_ADMIN_TOKEN: SIM_TOKEN } });
    expect(r.code).toBe(1);
    // It was asked, and gave no answer.
    expect(fields(r.stdout).get('Accepted')).toBe('unknown (the request failed)');
  });

  it('a token that is not a JWT says nothing about itself: no subject, organisation or expiry', async () => {
    const r = await status(ODD_TOKEN, ['-o', 'json']);
    expect(r.code).toBe(3);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ token_source: 'BORDER0_ADMIN_TOKEN', accepted: false });
    expect(Object.keys(s)).not.toContain('expires_at');
    expect(Object.keys(s)).not.toContain('subject');
    expect(fields((await status(ODD_TOKEN)).stdout).get('Expires')).toBe('-');
  });

  it.each([
    ['past the year 9999', FAR_TOKEN],
    ['before the year 0', BEFORE_TIME_TOKEN],
    ['not a number', WORDY_EXPIRY_TOKEN],
  ])('an expiry that is no date (%s) is left out and left to the API, which refuses the token (exit 3)', async (_, token) => {
    const r = await status(token, ['-o', 'json']);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(3);
    expect(r.requests).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ subject: 'far@example.com', accepted: false });
    expect(Object.keys(s)).not.toContain('expires_at');
    const list = await b0s(['list'], { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: token }, homedir: tmp('home') });
    expect(list.code).toBe(3);
    expect(list.stderr).toMatch(/^b0s: .*refused the token/);
  });
});
