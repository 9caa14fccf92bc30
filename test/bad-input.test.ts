// Bad input is refused before any request: one line saying what was wrong and what is
// accepted, exit 2, and the simulator sees nothing.
import { describe, expect, it } from 'vitest';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { SIM_TOKEN } from './helpers/secrets';

const { sim, env } = useSimulator({ sessions: 20 });
const UUID = '93227a7e-8724-4be5-a5c5-2729f615ac50';

const cases: Array<[args: string[], message: RegExp, extraEnv?: Record<string, string>]> = [
  [['list', '--page', '0'], /--page must be from 1 to 1,000,000, got 0/],
  [['list', '--page', '-1'], /--page/],
  [['list', '--page', '1.5'], /--page must be a whole number/],
  [['list', '--page', 'two'], /--page must be a whole number from 1 to 1,000,000, got "two"/],
  [['list', '--page', '99999999999'], /--page must be from 1 to 1,000,000/],
  [['list', '--page-size', '0'], /--page-size must be from 1 to 1,000, got 0/],
  [['list', '--page-size', '5000'], /--page-size must be from 1 to 1,000, got 5000/],
  [['list', '--limit', '0'], /--limit must be from 1/],
  [['list', '--limit', '1e3'], /--limit must be a whole number/],
  [['list', '--concurrency', '100'], /--concurrency must be from 1 to 32/],
  [['list', '-o', 'xml'], /--output must be one of table, json, ndjson, csv, got "xml"/],
  [['list', '--json', '-o', 'csv'], /--json contradicts -o csv/],
  [['list', '--result', 'ok'], /--result must be one of success, denied/],
  [['list', '--since', 'yesterday'], /--since must be an RFC 3339 time .* got "yesterday"/],
  [['list', '--until', '2026-13-45T99:00:00Z'], /--until: 2026-13-45 is not a date \(months are 01 to 12\)/],
  [['list', '--since', '2026-11-20T25:00Z'], /--since: 25:00 is not a time of day/],
  [['list', '--since', '100000000w'], /--since 100000000w reaches back before 1970-01-01/],
  [['list', '--since', '1h', '--until', '2h'], /--since .* is after --until/],
  [['list', '--page', '2', '--all'], /--page and --all contradict/],
  [['list', '--socket', ''], /--socket needs a non-empty value/],
  [['list', '--pgae', '2'], /unknown option '--pgae'.*Did you mean --page\?/],
  [['lsit'], /unknown command 'lsit'/],
  [['show', '../etc/passwd'], /the socket ID must be a UUID such as .* got ".."/],
  [['show', '..'], /is not a session: give <socket_id> <session_id>/],
  [['show', `${UUID}/..%2F..%2Fsessions`], /the session ID must be a UUID .* got "..%2F..%2Fsessions"/],
  [['show', '../../sessions', UUID], /the socket ID must be a UUID/],
  [['show', 'abc def'], /is not a session/],
  [['show', ''], /is not a session/],
  [['replay', UUID, 'x y'], /the session ID must be a UUID/],
  [['replay', UUID, UUID, '--format', 'mp4'], /--format must be one of text, asciicast, json, raw/],
  [['replay', UUID, UUID, '--recording', '../x'], /--recording must be a recording ID/],
  [['replay', UUID, UUID, '--force'], /--force only applies with -O FILE/],
  [['kill', 'x/y'], /the socket ID must be a UUID/],
  [['--retries', '-1', 'list'], /--retries must be a whole number from 0 to 20, got "-1"/],
  [['--retries', '50', 'list'], /--retries must be from 0 to 20, got 50/],
  [['list'], /B0S_RETRIES: must be from 0 to 20, got 50/, { B0S_RETRIES: '50' }],
  [['--timeout', '0', 'list'], /--timeout must be a number of seconds above 0 and at most 3600, got "0"/],
  [['list'], /B0S_TIMEOUT: must be a number of seconds above 0 and at most 3600, got "soon"/, { B0S_TIMEOUT: 'soon' }],
  // What the user typed is quoted inert, whichever parser rejects it.
  [['list', '--since', '\u001b]0;pwned\u0007'], /got "\\x1b\]0;pwned\\x07"/],
  [['list', '-o', '\u001b[31mx'], /got "\\x1b\[31mx"/],
  [['\u001b[2J'], /unknown command '\\x1b\[2J'/],
  [['list'], /BORDER0_API must be an http\(s\) URL, got "ftp:\/\/api.example.com\/api\/v1"/, { BORDER0_API: 'ftp://api.example.com/api/v1' }],
  [['list'], /BORDER0_API is not a URL: "api.border0.com"/, { BORDER0_API: 'api.border0.com' }],
  [['--api-url', 'https://user:pw@api.example.com', 'list'], /--api-url must not carry credentials, a query or a fragment: "https:\/\/…@api.example.com"$/m],
  [['list'], /BORDER0_API must be an http\(s\) URL, got "ftp:\/\/…@x.example\/"/, { BORDER0_API: 'ftp://u:secret@x.example/' }],
  [['list'], /refusing to send the token over plain http to api.example.com/, { BORDER0_API: 'http://api.example.com/api/v1' }],
  [['list', '--token-file', ''], /--token-file needs a file name, got an empty value$/m],
];

describe('bad input: exit 2, one line, no request', () => {
  it('--user and --socket values too long for a request line are a usage error, not a server\'s refusal', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--user', `${'a'.repeat(7000)}@example.com`], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^b0s: the --socket and --user values make 7,026 characters of query, more than a server is sure to take \(6,000\): give fewer or shorter ones\n$/);
    // Counted as the request encodes them: "(" takes three characters there.
    expect((await b0s(['list', '--socket', '('.repeat(2500)], { env: env() })).code).toBe(2);
    expect(sim().requests).toHaveLength(0);
    // A long list of ordinary values still goes.
    const many = Array.from({ length: 60 }, (_, i) => `user${i}@example.com`).join(',');
    expect((await b0s(['list', '--user', many, '-o', 'json'], { env: env() })).code).toBe(0);
  });

  it('the token put where the API URL goes is not printed back', async () => {
    const r = await b0s(['list'], { env: { ...env(), BORDER0_API: SIM_TOKEN } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^b0s: BORDER0_API holds what looks like a token, not a URL \(the token goes in BORDER0_ADMIN_TOKEN/);
    expect(r.stderr).not.toContain(SIM_TOKEN.split('.')[2]);
  });

  it('a huge value (100,000 characters) is cut in the middle of the line: what was wrong, and what to do, stay', async () => {
    const r = await b0s(['list', '--since', `x${'y'.repeat(100_000)}`], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(2100);
    expect(r.stderr).toMatch(/^b0s: --since must be .*yyy … \(9\d,\d{3} characters left out\) … y+"? ?.*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  for (const [args, message, extraEnv] of cases) {
    it(`b0s ${args.join(' ')}${extraEnv ? ` (${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`, async () => {
      sim().resetRequests();
      const r = await b0s(args, { env: { ...env(), ...extraEnv } });
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(sim().requests).toHaveLength(0);
    });
  }
});

describe('help', () => {
  for (const command of ['list', 'show', 'replay', 'kill']) {
    it(`${command} --help shows an example and the exit codes, without a token`, async () => {
      const r = await b0s([command, '--help'], { env: {} });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Examples:\n  b0s ${command}`);
      expect(r.stdout).toContain('130  interrupted');
    });
  }

  for (const [command, option] of [
    ['list', '--page-size <n>'],
    ['search', '--regex'],
    ['stats', '--top <n>'],
    ['export', '--checkpoint <file>'],
  ] as const) {
    it(`b0s help ${command} is ${command} --help: its options and examples`, async () => {
      const viaHelp = await b0s(['help', command], { env: {} });
      const viaFlag = await b0s([command, '--help'], { env: {} });
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toContain(option);
      expect(viaHelp.stdout).toContain(`Examples:\n  b0s ${command}`);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
    });
  }
});

describe('no command', () => {
  it('prints the help to stderr and exits 2, with nothing else', async () => {
    const r = await b0s([], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: b0s');
    expect(r.stderr).not.toContain('outputHelp');
  });
});
