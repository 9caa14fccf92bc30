import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { b0s } from './helpers/world';
import { useTempDir } from './helpers/tmp';
import { useSimulator } from './helpers/sim';
import { ENV_TOKEN, EXPIRED_TOKEN, FILE_TOKEN, FUTURE_TOKEN, SIM_FORBIDDEN_TOKEN } from './helpers/secrets';

// This simulator accepts FILE_TOKEN only, so a run succeeds exactly when b0s picked it.
const { sim } = useSimulator({ sessions: 50, token: FILE_TOKEN });
const tmp = useTempDir();

function home(token?: string, mode = 0o600): string {
  const dir = tmp('home');
  if (token !== undefined) {
    mkdirSync(path.join(dir, '.border0'), { mode: 0o700 });
    writeFileSync(path.join(dir, '.border0', 'token'), token);
    chmodSync(path.join(dir, '.border0', 'token'), mode);
  }
  return dir;
}

function file(content: string, mode = 0o600): string {
  const p = path.join(tmp('token'), 'token');
  writeFileSync(p, content);
  chmodSync(p, mode);
  return p;
}

function fifo(): string {
  const p = path.join(tmp('token'), 'fifo');
  execFileSync('mkfifo', [p]);
  return p;
}

function bigFile(size: number): string {
  const p = file(FILE_TOKEN);
  truncateSync(p, size);
  return p;
}

const list = ['list', '--page-size', '1', '-o', 'json'];

describe('where the token comes from, in order', () => {
  it('--token-file wins over BORDER0_ADMIN_TOKEN and ~/.border0/token', async () => {
    const r = await b0s([...list, '--token-file', file(`${FILE_TOKEN}\n`)], {
      env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: ENV_TOKEN },
      homedir: home(ENV_TOKEN),
    });
    expect(r.code).toBe(0);
  });

  it('--token-file is used even when the environment holds the right token', async () => {
    const r = await b0s([...list, '--token-file', file(ENV_TOKEN)], { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: FILE_TOKEN } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('refused the token');
  });

  it('BORDER0_ADMIN_TOKEN wins over ~/.border0/token', async () => {
    const ok = await b0s(list, { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: FILE_TOKEN }, homedir: home(ENV_TOKEN) });
    expect(ok.code).toBe(0);
    const refused = await b0s(list, { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: ENV_TOKEN }, homedir: home(FILE_TOKEN) });
    expect(refused.code).toBe(3);
  });

  it('~/.border0/token is read last, with surrounding whitespace and CRLF trimmed', async () => {
    const r = await b0s(list, { env: { BORDER0_API: sim().url }, homedir: home(`  ${FILE_TOKEN}\r\n`) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('sends the token as x-access-token', async () => {
    sim().resetRequests();
    await b0s(list, { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: FILE_TOKEN } });
    expect(sim().requests[0]?.auth).toBe('valid');
    expect(sim().requests[0]?.userAgent).toMatch(/^b0s\/\d+\.\d+\.\d+/);
  });
});

describe('token problems: one line, exit 3, before any request', () => {
  const cases: Array<[string, () => { argv?: string[]; env?: Record<string, string>; homedir?: string }, RegExp]> = [
    ['no token anywhere', () => ({ homedir: home() }), /no token: .*\.border0\/token does not exist; run `border0 login`/],
    ['an empty token file', () => ({ homedir: home('  \n') }), /\.border0\/token is empty; run `border0 login`/],
    ['a --token-file that does not exist', () => ({ argv: ['--token-file', '/nonexistent/b0s/token'] }), /\/nonexistent\/b0s\/token does not exist/],
    ['a token file that is a directory', () => ({ argv: ['--token-file', os.tmpdir()] }), /is a directory/],
    // Never read: /dev/zero would be read forever, a FIFO waited on forever.
    ['a token file that is a device', () => ({ argv: ['--token-file', '/dev/zero'] }), /no token: \/dev\/zero is not a regular file \(a device, FIFO or socket\); run `border0 login`/],
    ['a token file that is a FIFO', () => ({ argv: ['--token-file', fifo()] }), /no token: .*fifo is not a regular file \(a device, FIFO or socket\)/],
    // 50 MB (sparse: no disk used) must not become a 50 MB header.
    ['a token file of 50 MB', () => ({ argv: ['--token-file', bigFile(50_000_000)] }), /no token: .*token is larger than 64 KiB, too large to hold a token/],
    ['a token with control characters', () => ({ env: { BORDER0_ADMIN_TOKEN: 'abc\u001b[2Jdef' } }), /control or non-ASCII characters/],
    ['an expired JWT', () => ({ env: { BORDER0_ADMIN_TOKEN: EXPIRED_TOKEN } }), /expired at 2020-09-13T12:26:40Z; run `border0 login`/],
  ];
  for (const [name, setup, message] of cases) {
    it(name, async () => {
      const s = setup();
      sim().resetRequests();
      const r = await b0s([...list, ...(s.argv ?? [])], { env: { BORDER0_API: sim().url, ...s.env }, homedir: s.homedir });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(sim().requests).toHaveLength(0);
    });
  }

  it('a JWT that has not expired is sent', async () => {
    const r = await b0s(list, { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: FUTURE_TOKEN } });
    // The simulator does not know this token: the server, not b0s, refuses it.
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('refused the token');
    expect(r.stderr).toContain('expired or revoked');
  });

  it('a token without admin rights (403) is exit 3', async () => {
    const r = await b0s(list, { env: { BORDER0_API: sim().url, BORDER0_ADMIN_TOKEN: SIM_FORBIDDEN_TOKEN } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('admin');
  });

  it('warns when the token file is readable by others, and still works', async () => {
    const r = await b0s(list, { env: { BORDER0_API: sim().url }, homedir: home(FILE_TOKEN, 0o644) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/readable by others \(mode 0644\); run: chmod 600 .*token/);
  });
});
