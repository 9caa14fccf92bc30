import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { ANSI, parseCsv, parseNdjson, stripAnsi, tsvRows } from './helpers/parse';

const { sim, env } = useSimulator({ sessions: 300 });

/** What `curl -H "x-access-token: …" "$API/sessions?…" | jq .session_logs` gives. */
async function rawPage(query: string): Promise<{ session_logs: Session[]; pagination: Record<string, number> }> {
  const res = await fetch(`${sim().url}/sessions?${query}`, { headers: { 'x-access-token': sim().token } });
  return (await res.json()) as { session_logs: Session[]; pagination: Record<string, number> };
}

describe('b0s list, piped', () => {
  it('prints the same sessions as the API page, as JSON, every field untouched', async () => {
    const r = await b0s(['list', '--page', '2', '--page-size', '25', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const expected = (await rawPage('page=2&page_size=25')).session_logs;
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('--json is -o json', async () => {
    const a = await b0s(['list', '--json', '--page-size', '5'], { env: env() });
    const b = await b0s(['list', '-o', 'json', '--page-size', '5'], { env: env() });
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  });

  it('-o ndjson writes one complete session object per line', async () => {
    const r = await b0s(['list', '--page-size', '30', '-o', 'ndjson'], { env: env() });
    expect(r.code).toBe(0);
    const lines = parseNdjson(r.stdout) as Session[];
    expect(lines).toEqual((await rawPage('page=1&page_size=30')).session_logs);
  });

  it('the default table is tab-separated with no header, full IDs, RFC 3339 times and no colour', async () => {
    const r = await b0s(['list', '--page-size', '20'], { env: env() });
    expect(r.code).toBe(0);
    const rows = tsvRows(r.stdout);
    const page = (await rawPage('page=1&page_size=20')).session_logs;
    expect(rows).toHaveLength(20);
    expect(r.stdout).not.toMatch(ANSI);
    rows.forEach((row, i) => {
      const s = page[i] as Session;
      expect(row).toHaveLength(9);
      expect(row[0]).toBe(s.start_time);
      expect(row[2]).toBe(s.socket_name);
      expect(row[8]).toBe(`${s.socket_id}/${s.session_id}`);
      expect(['live', 'ended', 'killed', 'denied']).toContain(row[6]);
    });
    // No footer when piped: stderr stays empty for scripts.
    expect(r.stderr).toBe('');
  });

  it('FORCE_COLOR colours the piped table\'s status, never JSON, NDJSON or CSV', async () => {
    const forced = { ...env(), FORCE_COLOR: '1' };
    const table = await b0s(['list', '--page-size', '40'], { env: forced });
    expect(table.stdout).toMatch(ANSI);
    const plain = await b0s(['list', '--page-size', '40'], { env: env() });
    expect(stripAnsi(table.stdout)).toBe(plain.stdout);
    for (const format of ['json', 'ndjson', 'csv']) {
      const r = await b0s(['list', '--page-size', '40', '-o', format], { env: forced });
      expect(r.stdout).not.toMatch(ANSI);
    }
  });

  it('-o csv is RFC 4180 with a header, and formula-looking cells are made inert', async () => {
    const r = await b0s(['list', '--page-size', '100', '-o', 'csv'], { env: env() });
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header?.slice(0, 3)).toEqual(['session_id', 'socket_id', 'socket_name']);
    expect(rows).toHaveLength(100);
    const nameColumn = (header as string[]).indexOf('name');
    const names = rows.map((row) => row[nameColumn] ?? '');
    expect(names.some((n) => n.includes('HYPERLINK'))).toBe(true);
    for (const n of names) expect(n).not.toMatch(/^[=+\-@\t\r]/);
    // Control characters and bidi overrides would act on a terminal and spoof a spreadsheet.
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u202a-\u202e]/);
    expect(names.some((n) => n.includes('\\x1b]0;pwned'))).toBe(true);
  });

  it('passes filters to the API and keeps only matching sessions', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--socket', 'prod-ssh,orders-db', '--socket', 'prod-k8s', '--result', 'success', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const sessions = JSON.parse(r.stdout) as Session[];
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) {
      expect(['prod-ssh', 'orders-db', 'prod-k8s']).toContain(s.socket_name);
      expect(s.result).toBe('success');
    }
    const q = sim().requests.at(-1)?.query;
    expect(q?.socket_names).toBe('prod-ssh,orders-db,prod-k8s');
    expect(q?.auth_result).toBe('success');
  });

  it('--status live answers "who is connected right now", and asks the API for live sessions', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--status', 'live', '--all', '-o', 'ndjson'], { env: env() });
    expect(r.code).toBe(0);
    const live = parseNdjson(r.stdout) as Session[];
    const truth = Array.from({ length: sim().sessionCount() }, (_, i) => sim().sessionAt(i)).filter((s) => !s.end_time && s.result !== 'denied' && !s.killed);
    expect(live.map((s) => s.session_id)).toEqual(truth.map((s) => s.session_id));
    expect(sim().requests.every((q) => q.query.finished === 'false')).toBe(true);
  });

  it('--status and --type combine, repeat and comma-separate; bad values are refused', async () => {
    const r = await b0s(['list', '--all', '--status', 'ended,killed', '--type', 'ssh', '--type', 'DATABASE', '-o', 'ndjson'], { env: env() });
    expect(r.code).toBe(0);
    const out = parseNdjson(r.stdout) as Session[];
    expect(out.length).toBeGreaterThan(0);
    for (const s of out) {
      expect(Boolean(s.end_time) && s.result !== 'denied').toBe(true);
      expect(['ssh', 'database']).toContain(s.session_type);
    }
    const bad = await b0s(['list', '--status', 'asleep'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of live, ended, killed, denied, got "asleep"/);
    const contradiction = await b0s(['list', '--status', 'denied', '--result', 'success'], { env: env() });
    expect(contradiction.code).toBe(2);
  });

  it('emails match without regard to case', async () => {
    const lower = await b0s(['list', '--all', '--user', 'alice@example.com', '-o', 'ndjson'], { env: env() });
    const upper = await b0s(['list', '--all', '--user', 'ALICE@Example.COM', '-o', 'ndjson'], { env: env() });
    expect(upper.code).toBe(0);
    expect(parseNdjson(upper.stdout).length).toBeGreaterThan(0);
    expect(upper.stdout).toBe(lower.stdout);
  });

  it('an empty result is [] and exit 0', async () => {
    const r = await b0s(['list', '--user', 'nobody@example.invalid', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const n = await b0s(['list', '--user', 'nobody@example.invalid', '-o', 'ndjson'], { env: env() });
    expect(n.stdout).toBe('');
  });
});

describe('b0s list, on a terminal', () => {
  const tty = { stdout: true, stderr: true };

  it('shows a header, short IDs, relative times and a footer on stderr, fitted to the screen', async () => {
    const r = await b0s(['list', '--page-size', '25'], { env: env(), tty, columns: 100 });
    expect(r.code).toBe(0);
    const lines = stripAnsi(r.stdout).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED\s+USER\s+SOCKET/);
    expect(lines).toHaveLength(26);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    const page = (await rawPage('page=1&page_size=25')).session_logs;
    expect(lines[1]).toContain((page[0] as Session).session_id.slice(0, 8));
    expect(lines[1]).not.toContain((page[0] as Session).session_id);
    expect(lines[1]).toMatch(/ago|^\d{4}-/);
    const total = (await rawPage('page=1&page_size=25')).pagination;
    // The footer is the last line (a note about columns hidden to fit may come before it).
    expect(stripAnsi(r.stderr).trim().split('\n').at(-1)).toBe(`page 1 of ${total.total_pages} · ${total.total_records} sessions · --all for every page`);
  });

  it('colours the status on a terminal, and not with NO_COLOR or --no-color', async () => {
    const coloured = await b0s(['list', '--page-size', '40'], { env: env(), tty });
    expect(coloured.stdout).toMatch(ANSI);
    const plain = await b0s(['list', '--page-size', '40'], { env: { ...env(), NO_COLOR: '1' }, tty });
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stderr).not.toMatch(ANSI);
    const flag = await b0s(['list', '--page-size', '40', '--no-color'], { env: env(), tty });
    expect(flag.stdout).not.toMatch(ANSI);
  });

  it('at 80 columns, client IPs stay whole: other columns shrink or go first', async () => {
    const r = await b0s(['list', '--page-size', '30'], { env: env(), tty, columns: 80 });
    const lines = stripAnsi(r.stdout).trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const page = (await rawPage('page=1&page_size=30')).session_logs;
    if (lines[0]?.includes('CLIENT')) page.forEach((s, i) => expect(lines[i + 1]).toContain(String(s.client_ip)));
    expect(lines[0]).toMatch(/STARTED.*STATUS.*ID/);
  });

  it('--wide shows the full socket_id/session_id', async () => {
    const r = await b0s(['list', '--page-size', '3', '--wide'], { env: env(), tty });
    const first = (await rawPage('page=1&page_size=3')).session_logs[0] as Session;
    expect(stripAnsi(r.stdout)).toContain(`${first.socket_id}/${first.session_id}`);
  });

  it('says when nothing matched, and names the socket meant when the name has a typo', async () => {
    const r = await b0s(['list', '--user', 'nobody@example.invalid'], { env: env(), tty });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(stripAnsi(r.stderr)).toContain('No sessions found.');
    const typo = await b0s(['list', '--socket', 'prod-shh'], { env: env(), tty });
    expect(typo.code).toBe(0);
    const hint = stripAnsi(typo.stderr).split('\n').find((l) => l.startsWith('hint:')) ?? '';
    expect(hint).toMatch(/no sessions at all for --socket prod-shh .*include: prod-ssh,/);
    // Piped, stderr stays quiet: scripts get no hints.
    const piped = await b0s(['list', '--socket', 'prod-shh', '-o', 'json'], { env: env() });
    expect(piped.stderr).toBe('');
  });
});
