// The terminal table: what each screen width shows, what gives way first, and --wide.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s } from './helpers/world';
import { SIM_NOW, useSimulator } from './helpers/sim';
import { parseTable, stripAnsi } from './helpers/parse';
import { FILE_TOKEN } from './helpers/secrets';
import stringWidth from 'string-width';

const { sim, env } = useSimulator({ sessions: 300 });
const tty = { stdout: true, stderr: true };
const ALL = ['STARTED', 'USER', 'SOCKET', 'TYPE', 'CLIENT', 'LOCATION', 'STATUS', 'DURATION', 'ID'];

async function page(size: number): Promise<Session[]> {
  const res = await fetch(`${sim().url}/sessions?page=1&page_size=${size}`, { headers: { 'x-access-token': sim().token } });
  return ((await res.json()) as { session_logs: Session[] }).session_logs;
}

async function table(columns: number, args: string[] = []) {
  const r = await b0s(['list', '--page-size', '40', ...args], { env: env(), tty, columns, now: SIM_NOW });
  expect(r.code).toBe(0);
  return { ...parseTable(r.stdout), stdout: stripAnsi(r.stdout), notes: stripAnsi(r.stderr).trim().split('\n') };
}

describe('the default table at each width', () => {
  const MUST = ['STARTED', 'USER', 'SOCKET', 'STATUS', 'ID'];
  for (const columns of [80, 110, 200]) {
    it(`${columns} columns: fits, keeps ${MUST.join(', ')}, names what it hid; emails keep their domain, client IPs are whole`, async () => {
      const t = await table(columns);
      const sessions = await page(40);
      // In their usual order, with at least the ones that tell who, where, when and which.
      expect(ALL.filter((h) => t.headers.includes(h))).toEqual(t.headers);
      for (const h of MUST) expect(t.headers).toContain(h);
      if (columns === 200) expect(t.headers).toEqual(ALL);
      for (const line of t.stdout.trimEnd().split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
      t.rows.forEach((row, i) => {
        const s = sessions[i] as Session;
        const email = String(s.user_email);
        if (email.includes('@')) {
          // The whole address, or its local part shortened: never the domain.
          expect(row.USER === email || (row.USER?.includes('…') && row.USER.endsWith(email.slice(email.lastIndexOf('@'))))).toBe(true);
        }
        if (row.CLIENT !== undefined) expect(row.CLIENT).toBe(s.client_ip ?? '');
        expect(row.ID).toBe(s.session_id.slice(0, 8));
      });
      const hidden = ALL.filter((h) => !t.headers.includes(h));
      if (hidden.length) expect(t.notes[0]).toBe(`(${hidden.join(', ')} hidden to fit ${columns} columns; --wide shows every column)`);
      else expect(t.notes.join('\n')).not.toContain('hidden');
    });
  }

  it('at 80 columns the least useful columns go first: LOCATION, TYPE and DURATION before CLIENT', async () => {
    const t = await table(80);
    expect(t.headers).toEqual(['STARTED', 'USER', 'SOCKET', 'CLIENT', 'STATUS', 'ID']);
  });

  it('a narrow screen shortens the part of the email before the @ (mallory…@example.net)', async () => {
    const t = await table(44);
    expect(t.headers).toEqual(['STARTED', 'USER', 'STATUS', 'ID']);
    const shortened = t.rows.map((r) => r.USER ?? '').filter((u) => u.includes('…'));
    expect(shortened.length).toBeGreaterThan(0);
    for (const u of shortened) expect(u).toMatch(/^[^@]+…@example\.(com|net|org)$/);
  });

  it('the note about hidden columns is for a terminal only: not when stderr is piped', async () => {
    const r = await b0s(['list', '--page-size', '10'], { env: env(), tty: { stdout: true }, columns: 80, now: SIM_NOW });
    expect(r.code).toBe(0);
    expect(parseTable(r.stdout).headers).not.toContain('LOCATION');
    expect(r.stderr).not.toContain('hidden');
  });
});

describe('--wide', () => {
  for (const columns of [80, 110]) {
    it(`at ${columns} columns: every column, nothing cut (the terminal wraps the lines)`, async () => {
      const t = await table(columns, ['--wide']);
      const sessions = await page(40);
      expect(t.headers).toEqual([...ALL, 'NAME', 'SERVER']);
      t.rows.forEach((row, i) => {
        const s = sessions[i] as Session;
        expect(row.ID).toBe(`${s.socket_id}/${s.session_id}`);
        expect(row.CLIENT).toBe(s.client_ip ?? '');
        expect(row.SOCKET).toBe(s.socket_name);
        if (String(s.user_email).includes('@')) expect(row.USER).toBe(s.user_email);
      });
      expect(t.stdout).not.toContain('…');
      expect(t.notes.join('\n')).not.toContain('hidden');
    });
  }
});

describe('a 120,000-character name', () => {
  let agent: MockAgent;
  const ORIGIN = 'https://api.example.test';
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  const huge = '界🦄'.repeat(40_000);
  const session = { session_id: '93227a7e-8724-4be5-a5c5-2729f615ac50', socket_id: '11111111-1111-4111-8111-111111111111', socket_name: 'prod-ssh', start_time: '2026-11-26T11:00:00Z', end_time: '', user_email: huge, name: huge, client_ip: '192.0.2.1', session_type: 'ssh' };

  for (const wide of [false, true]) {
    it(`is cut to ${wide ? '1,000 columns with --wide' : 'the screen'}, with an ellipsis`, async () => {
      agent.get(ORIGIN).intercept({ path: '/api/v1/sessions?page=1&page_size=100', method: 'GET' }).reply(200, { session_logs: [session], pagination: { total_records: 1 } });
      const r = await b0s(['list', ...(wide ? ['--wide'] : [])], { env: { BORDER0_API: `${ORIGIN}/api/v1`, BORDER0_ADMIN_TOKEN: FILE_TOKEN }, dispatcher: agent, tty, columns: 80 });
      expect(r.code).toBe(0);
      const { rows } = parseTable(r.stdout);
      const cells = wide ? [rows[0]?.USER, rows[0]?.NAME] : [rows[0]?.USER];
      for (const cell of cells) {
        expect(cell?.endsWith('…')).toBe(true);
        expect(stringWidth(cell ?? '')).toBeLessThanOrEqual(wide ? 1000 : 80);
        expect(stringWidth(cell ?? '')).toBeGreaterThan(8);
      }
      expect(rows[0]?.CLIENT).toBe('192.0.2.1');
    });
  }
});
