// Shaping list output without other tools: --columns for the table and CSV, --jq over
// the whole result (one JSON array), page by page where the expression allows.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { streams } from '../src/output/jq';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { parseCsv, parseNdjson, parseTable, tsvRows } from './helpers/parse';

const { sim, env } = useSimulator({ sessions: 230 });
const listRequests = () => sim().requests.filter((q) => q.path.endsWith('/sessions'));

describe('--columns', () => {
  it('the piped table: only those columns, in that order (names without case)', async () => {
    const r = await b0s(['list', '--page-size', '10', '--columns', 'ID,user', '--columns', 'status'], { env: env() });
    expect(r.code).toBe(0);
    const rows = tsvRows(r.stdout);
    expect(rows).toHaveLength(10);
    rows.forEach((row, i) => {
      const s = sim().sessionAt(i);
      expect(row).toEqual([`${s.socket_id}/${s.session_id}`, s.user_email, row[2]]);
      expect(['live', 'ended', 'killed', 'denied']).toContain(row[2]);
    });
  });

  it('the terminal table: those headers, in that order', async () => {
    const r = await b0s(['list', '--page-size', '5', '--columns', 'status,socket,started'], { env: env(), tty: { stdout: true, stderr: true }, columns: 120 });
    expect(r.code).toBe(0);
    const { headers, rows } = parseTable(r.stdout);
    expect(headers).toEqual(['STATUS', 'SOCKET', 'STARTED']);
    expect(rows.map((row) => row.SOCKET)).toEqual([0, 1, 2, 3, 4].map((i) => sim().sessionAt(i).socket_name));
  });

  it('CSV: the header and cells of those columns', async () => {
    const r = await b0s(['list', '--page-size', '4', '-o', 'csv', '--columns', 'user_email,session_id,client_ip'], { env: env() });
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(['user_email', 'session_id', 'client_ip']);
    expect(rows.map((row) => row[1])).toEqual([0, 1, 2, 3].map((i) => sim().sessionAt(i).session_id));
  });

  const refused: Array<[string[], RegExp]> = [
    [['--columns', 'user,colour'], /--columns: no column "colour" in the table; columns: started, user, socket, type, client, location, status, duration, id, name, server/],
    [['-o', 'csv', '--columns', 'user'], /--columns: no column "user" in the CSV; columns: session_id, socket_id, socket_name, start_time, end_time, status, duration_seconds, user_email,/],
    [['-o', 'json', '--columns', 'id'], /--columns applies to -o table and -o csv, not -o json; for JSON, pick fields with --jq/],
    [['--columns', 'id', '--jq', '.'], /--jq and --columns contradict each other/],
    [['-o', 'csv', '--jq', '.'], /--jq works on JSON and prints its own output: leave out -o csv/],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')} before any request (exit 2)`, async () => {
      sim().resetRequests();
      const r = await b0s(['list', ...argv], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(sim().requests).toHaveLength(0);
    });
  }
});

describe('--jq', () => {
  const all = ['list', '--all', '--page-size', '50'];

  it('sees the whole multi-page result as one array, not a page at a time', async () => {
    sim().resetRequests();
    const r = await b0s([...all, '--jq', '[length, (map(.session_id) | unique | length), .[0].session_id, .[-1].session_id]'], { env: env() });
    expect(r.code).toBe(0);
    expect(listRequests().length).toBeGreaterThan(4);
    const n = sim().sessionCount();
    expect(JSON.parse(r.stdout)).toEqual([n, n, sim().sessionAt(0).session_id, sim().sessionAt(n - 1).session_id]);
  });

  it('`.[] | …` gives what jq gives on the whole array; strings are printed raw, as jq -r does', async () => {
    const streamed = await b0s([...all, '--jq', '.[] | select(.result == "denied") | .session_id'], { env: env() });
    const whole = await b0s([...all, '--jq', '[.[] | select(.result == "denied") | .session_id] | .[]'], { env: env() });
    const ndjson = await b0s([...all, '-o', 'ndjson'], { env: env() });
    const expected = (parseNdjson(ndjson.stdout) as Session[]).filter((s) => s.result === 'denied').map((s) => s.session_id);
    expect(expected.length).toBeGreaterThan(1);
    expect(streamed.stdout).toBe(`${expected.join('\n')}\n`);
    expect(whole.stdout).toBe(streamed.stdout);
  });

  it('streams page by page: a walk that fails late keeps the output of the pages read; a whole-array filter prints nothing wrong', async () => {
    sim().setFaults('503@4');
    try {
      const streamed = await b0s([...all, '--concurrency', '1', '--retries', '0', '--jq', '.[] | .session_id'], { env: env() });
      expect(streamed.code).toBe(1);
      const ids = streamed.stdout.trimEnd().split('\n');
      expect(ids.length).toBeGreaterThanOrEqual(50);
      expect(ids).toEqual(ids.map((_, i) => sim().sessionAt(i).session_id));
      sim().setFaults('503@4');
      const whole = await b0s([...all, '--concurrency', '1', '--retries', '0', '--jq', 'length'], { env: env() });
      expect(whole.code).toBe(1);
      expect(whole.stdout).toBe('');
    } finally {
      sim().setFaults('');
    }
  });

  it('which expressions stream', () => {
    expect(streams('.[] | .session_id')).toBe(true);
    expect(streams('  .[]? | select(.killed)')).toBe(true);
    expect(streams('.[]')).toBe(true);
    expect(streams('map(.session_id)')).toBe(false);
    expect(streams('.[] as $s | $s')).toBe(false);
    expect(streams('.[] , 1')).toBe(false);
    expect(streams('.[] | [., input]')).toBe(false);
  });

  it('a syntax error is exit 2 before any request', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--jq', '.[ | .x'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("b0s: --jq: syntax error, unexpected '|'\n");
    // An expression cut short is said to end early, as jq says it: nothing b0s adds to it shows.
    for (const cut of ['.foo |', '.[0', '{']) {
      const short = await b0s(['list', '--jq', cut], { env: env() });
      expect(short.code, cut).toBe(2);
      expect(short.stderr, cut).toBe('b0s: --jq: syntax error, unexpected end of file\n');
    }
    expect(sim().requests).toHaveLength(0);
  });

  it('input past the one array says so, as jq does', async () => {
    const r = await b0s(['list', '--page-size', '2', '--jq', '.[] | input'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('b0s: --jq: no more inputs (the filter gets the sessions as one array: input and inputs find nothing after it)\n');
    // The filter's own error stays its own.
    const own = await b0s(['list', '--page-size', '2', '--jq', 'error("break")'], { env: env() });
    expect(own.stderr).toBe('b0s: --jq: break\n');
  });

  it("jq's own error on the data is exit 1, one line", async () => {
    const r = await b0s(['list', '--page-size', '3', '--jq', '.[] | .start_time + 1'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^b0s: --jq: string \("2026-.*\) and number \(1\) cannot be added\n$/);
  });

  it('on a terminal, control characters in what jq prints are made visible', async () => {
    // The simulator's users include names with escape sequences.
    const r = await b0s(['list', '--page-size', '200', '--jq', '.[] | .name'], { env: env(), tty: { stdout: true } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\\x1b');
    expect(r.stdout).not.toContain('\u001b');
  });
});
