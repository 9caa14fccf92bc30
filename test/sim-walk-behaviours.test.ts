// The simulator's server behaviours that break naive page walkers: ageing out, tied start
// times shuffled per answer, lagging totals, buggy pages and missing pagination fields.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Pagination, Session } from '../src/api/types';
import { parsePageQuirks, startSimulator, type SimOptions, type Simulator } from '../src/simulator';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const SIM_BIN = path.join(__dirname, '..', 'bin', 'b0s-sim');

interface Page {
  pagination?: Pagination;
  session_logs: Session[];
}

function call(s: Simulator, p: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${s.url}${p}`, { ...init, headers: { 'x-access-token': s.token } });
}

async function list(s: Simulator, query = ''): Promise<Page> {
  const res = await call(s, `/sessions?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

async function withSim<T>(opts: SimOptions, fn: (s: Simulator) => Promise<T>): Promise<T> {
  const s = await startSimulator({ now: NOW, sessions: 30, quiet: true, ...opts });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const ids = (sessions: Session[]): string[] => sessions.map((x) => x.session_id);
const range = (s: Simulator, from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => s.sessionAt(from + i).session_id);
const sessionPath = (x: Session): string => `/session/${x.socket_id}/${x.session_id}`;

/** The pagination object of an honest answer. */
const honest = (page: number, size = 10, total = 30): Pagination => ({
  actual_page_size: Math.max(0, Math.min(size, total - (page - 1) * size)),
  current_page: page,
  next_page: page < Math.ceil(total / size) ? page + 1 : 0,
  records_per_page: size,
  total_pages: Math.ceil(total / size),
  total_records: total,
});

describe('ageing out', () => {
  it('removes the oldest before each list request; they answer 404 everywhere', async () => {
    await withSim({ ageOutPerListRequest: 5 }, async (s) => {
      const before = range(s, 0, 30);
      const oldest = s.sessionAt(29);
      const page = await list(s, 'page_size=100');
      expect(page.pagination).toMatchObject({ total_records: 25, total_pages: 1 });
      expect(ids(page.session_logs)).toEqual(before.slice(0, 25));
      expect([s.sessionCount(), s.removedCount()]).toEqual([25, 5]);
      expect(range(s, 0, 25)).toEqual(before.slice(0, 25));
      for (const [p, init] of [
        [sessionPath(oldest), {}],
        [`${sessionPath(oldest)}/session_log`, {}],
        [sessionPath(oldest), { method: 'PUT', body: '{"killed":true}' }],
      ] as const) {
        expect((await call(s, p, init)).status, `${init.method ?? 'GET'} ${p}`).toBe(404);
      }
      const socket = (await (await call(s, `/session/${oldest.socket_id}`)).json()) as Session[];
      expect(ids(socket)).not.toContain(oldest.session_id);
      const users = (await (await call(s, '/sessions/stats/users')).json()) as Array<{ count: number }>;
      expect(users.reduce((n, u) => n + u.count, 0)).toBe(25);

      // Other routes age nothing; the next list request takes five more.
      expect((await list(s, 'page=3&page_size=10')).session_logs).toHaveLength(0);
      expect(s.sessionCount()).toBe(20);
    });
  });

  it('removes arrivals, oldest first, once every generated session is gone', async () => {
    await withSim({ sessions: 4, arrivalsPerListRequest: 2, ageOutPerListRequest: 3 }, async (s) => {
      const first = await list(s);
      // 4 generated + 2 arrivals, less the 3 oldest generated.
      expect(first.pagination?.total_records).toBe(3);
      const [a1, a0, g0] = first.session_logs;
      expect(g0?.session_id).toBe(range(s, 2, 3)[0]);
      const second = await list(s);
      // Two more arrive; g0, a0 and a1 go.
      expect(second.pagination?.total_records).toBe(2);
      expect(Date.parse(second.session_logs[1]?.start_time ?? '')).toBeGreaterThan(Date.parse(a1?.start_time ?? ''));
      expect(s.removedCount()).toBe(6);
      for (const gone of [a1, a0, g0]) expect((await call(s, sessionPath(gone as Session))).status).toBe(404);
      expect(s.removeOldest(10)).toBe(2);
      expect((await list(s)).session_logs).toEqual([]);
    });
  });

  it('keeps filtered views true: a cached finished=true list loses its removed sessions', async () => {
    await withSim({ sessions: 40, honourTimeFilters: true }, async (s) => {
      const finished = await list(s, 'finished=true&page_size=100');
      const oldest = new Set(range(s, 30, 40));
      s.setOptions({ ageOutPerListRequest: 10 });
      const after = await list(s, 'finished=true&page_size=100');
      expect(ids(after.session_logs)).toEqual(ids(finished.session_logs).filter((id) => !oldest.has(id)));
      expect(after.pagination?.total_records).toBe(after.session_logs.length);
      expect(after.session_logs.length).toBeLessThan(finished.session_logs.length);
    });
  });

  it('stays cheap at 200,000 sessions', async () => {
    await withSim({ sessions: 200_000, ageOutPerListRequest: 150_000 }, async (s) => {
      const last = s.sessionAt(49_999);
      const page = await list(s, 'page=500&page_size=100');
      expect(page.pagination).toMatchObject({ total_records: 50_000, total_pages: 500, next_page: 0 });
      expect(page.session_logs.at(-1)).toEqual(last);
    });
  });
});

describe('ties', () => {
  it('shares start times in groups, strictly decreasing between groups, in a stable order by default', async () => {
    await withSim({ tieGroup: 4 }, async (s) => {
      const starts = Array.from({ length: 12 }, (_, i) => Date.parse(s.sessionAt(i).start_time ?? ''));
      for (let i = 1; i < 12; i++) {
        if (i % 4 === 0) expect(starts[i], `session ${i}`).toBeLessThan(starts[i - 1] as number);
        else expect(starts[i], `session ${i}`).toBe(starts[i - 1]);
      }
      expect(s.sessionAt(0).start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const a = await list(s, 'page_size=6');
      const b = await list(s, 'page_size=6');
      expect(ids(a.session_logs)).toEqual(range(s, 0, 6));
      expect(b).toEqual(a);
    });
  });

  it('leaves the rest of each session as without ties', async () => {
    await withSim({ tieGroup: 3, sessions: 9 }, async (tied) => {
      await withSim({ sessions: 9 }, async (plain) => {
        for (let i = 0; i < 9; i++) {
          const { start_time: t1, ...a } = tied.sessionAt(i);
          const b = plain.sessionAt(i);
          expect([a.session_id, a.user_email, a.socket_id]).toEqual([b.session_id, b.user_email, b.socket_id]);
          if (i % 3 === 0) expect(t1).toBe(b.start_time);
        }
      });
    });
  });

  it('shuffles tied sessions per answer and cuts the page from that order', async () => {
    const run = async (s: Simulator): Promise<string[][]> => {
      const pages: string[][] = [];
      for (let i = 0; i < 4; i++) pages.push(ids((await list(s, 'page_size=5')).session_logs));
      return pages;
    };
    await withSim({ tieGroup: 10, shuffleTies: true }, async (s) => {
      const group = new Set(range(s, 0, 10));
      const pages = await run(s);
      for (const p of pages) {
        expect(p).toHaveLength(5);
        for (const id of p) expect(group.has(id)).toBe(true);
      }
      // Page 1 shows other members of the straddling group from one answer to the next.
      expect(new Set(pages.map((p) => [...p].sort().join())).size).toBeGreaterThan(1);
      const whole = [await list(s, 'page_size=30'), await list(s, 'page_size=30')].map((p) => ids(p.session_logs));
      expect(whole[0]).not.toEqual(whole[1]);
      expect([...(whole[0] ?? [])].sort()).toEqual(range(s, 0, 30).sort());
      expect([...(whole[1] ?? [])].sort()).toEqual(range(s, 0, 30).sort());
      const last = await list(s, 'page_size=30');
      const times = last.session_logs.map((x) => Date.parse(x.start_time ?? ''));
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1] as number);
      // Sessions are ordered, not changed.
      const byId = new Map(range(s, 0, 30).map((id, i) => [id, s.sessionAt(i)]));
      for (const x of last.session_logs) expect(x).toEqual(byId.get(x.session_id));
    });
    // Same seed and request sequence, same answers.
    const a = await withSim({ tieGroup: 10, shuffleTies: true }, run);
    const b = await withSim({ tieGroup: 10, shuffleTies: true }, run);
    expect(a).toEqual(b);
  });
});

describe('lagging totals', () => {
  it('reports total_records and total_pages as they were N list requests earlier', async () => {
    await withSim({ sessions: 20, arrivalsPerListRequest: 1, totalLag: 2 }, async (s) => {
      const seen: Array<[number | null | undefined, number | null | undefined, number]> = [];
      for (let i = 0; i < 4; i++) {
        const p = await list(s, 'page_size=10');
        seen.push([p.pagination?.total_records, p.pagination?.total_pages, s.sessionCount()]);
      }
      expect(seen).toEqual([
        [20, 2, 21],
        [20, 2, 22],
        [21, 3, 23],
        [22, 3, 24],
      ]);
      s.setOptions({ totalLag: 0 });
      expect((await list(s, 'page_size=10')).pagination).toMatchObject({ total_records: 25, total_pages: 3 });
    });
  });
});

describe('page quirks', () => {
  it('short, empty and long pages keep the honest pagination object', async () => {
    await withSim({ pageQuirks: 'short:2:3,empty:1,long:3:4' }, async (s) => {
      const short = await list(s, 'page=2');
      expect([ids(short.session_logs), short.pagination]).toEqual([range(s, 10, 13), honest(2)]);
      const empty = await list(s, 'page=1');
      expect([empty.session_logs, empty.pagination]).toEqual([[], honest(1)]);
      // Any page size: the rule names the page.
      expect((await list(s, 'page=2&page_size=4')).session_logs).toHaveLength(3);
      s.setOptions({ pageQuirks: 'long:2:12,long:3:99' });
      const long = await list(s, 'page=2');
      expect([ids(long.session_logs), long.pagination]).toEqual([range(s, 10, 22), honest(2)]);
      expect(ids((await list(s, 'page=3')).session_logs)).toEqual(range(s, 20, 30));
      s.setOptions({ pageQuirks: '' });
      expect(ids((await list(s, 'page=2')).session_logs)).toEqual(range(s, 10, 20));
    });
  });

  it('ignore-size, ignore-page and same-id', async () => {
    await withSim({ pageQuirks: 'ignore-size' }, async (s) => {
      const p = await list(s, 'page=2&page_size=3');
      expect([ids(p.session_logs), p.pagination]).toEqual([range(s, 10, 20), honest(2)]);
      s.setOptions({ pageQuirks: 'ignore-size:7' });
      const seven = await list(s, 'page=2&page_size=100');
      expect([ids(seven.session_logs), seven.pagination]).toEqual([range(s, 7, 14), honest(2, 7)]);
      s.setOptions({ pageQuirks: 'ignore-page' });
      const first = await list(s, 'page=3&page_size=10');
      expect([ids(first.session_logs), first.pagination]).toEqual([range(s, 0, 10), honest(1)]);
      s.setOptions({ pageQuirks: 'same-id' });
      const same = await list(s, 'page=2');
      const newest = s.sessionAt(0).session_id;
      expect(new Set(ids(same.session_logs))).toEqual(new Set([newest]));
      expect(same.session_logs.map((x) => x.start_time)).toEqual(Array.from({ length: 10 }, (_, i) => s.sessionAt(10 + i).start_time));
      const detail = (await (await call(s, sessionPath(s.sessionAt(12)))).json()) as Session;
      expect(detail.session_id).toBe(s.sessionAt(12).session_id);
    });
  });

  it('rejects a bad spec, naming the bad rule', async () => {
    expect(parsePageQuirks(' short:2:0, long:3:5,IGNORE-SIZE:20,ignore-page,same-id,empty:9')).toEqual({
      pages: new Map<number, unknown>([
        [2, { kind: 'short', count: 0 }],
        [3, { kind: 'long', count: 5 }],
        [9, { kind: 'empty' }],
      ]),
      pageSize: 20,
      ignorePage: true,
      sameId: true,
    });
    for (const bad of ['short:1', 'short:0:1', 'long:2:0', 'empty:x', 'frob', 'ignore-size:0', 'ignore-size:1:2', 'ignore-page:1', 'empty:2,short:2:1', 'same-id,same-id']) {
      const last = bad.split(',').at(-1) ?? '';
      expect(() => parsePageQuirks(bad), bad).toThrow(`invalid page quirk "${last}"`);
    }
    await expect(startSimulator({ pageQuirks: 'empty:0' })).rejects.toThrow('"empty:0"');
    await withSim({}, async (s) => {
      expect(() => s.setOptions({ pageQuirks: 'short:1' })).toThrow('short takes a page number and a count');
    });
  });
});

describe('pagination fields', () => {
  it('leaves out the totals, or the whole object', async () => {
    await withSim({ pagination: 'no-totals' }, async (s) => {
      const p = await list(s, 'page=2');
      expect(p.pagination).toEqual({ actual_page_size: 10, current_page: 2, next_page: 3, records_per_page: 10 });
      s.setOptions({ pagination: 'none' });
      const res = (await (await call(s, '/sessions?page=3')).json()) as Record<string, unknown>;
      expect(Object.keys(res)).toEqual(['session_logs']);
      expect(ids(res.session_logs as Session[])).toEqual(range(s, 20, 30));
      s.setOptions({ pagination: 'full' });
      expect((await list(s)).pagination).toEqual(honest(1));
    });
  });
});

describe('option checks', () => {
  it('refuses bad values at start and at run time', async () => {
    for (const [opts, message] of [
      [{ ageOutPerListRequest: -1 }, 'invalid ageOutPerListRequest'],
      [{ tieGroup: 0 }, 'invalid tieGroup'],
      [{ totalLag: 1.5 }, 'invalid totalLag'],
      [{ shuffleTies: 'yes' }, 'invalid shuffleTies'],
      [{ pagination: 'partial' }, 'invalid pagination: partial (full, no-totals, none)'],
    ] as Array<[SimOptions, string]>) {
      await expect(startSimulator(opts), message).rejects.toThrow(message);
    }
    await withSim({}, async (s) => {
      expect(() => s.setOptions({ tieGroup: 2 } as never)).toThrow('option tieGroup cannot change while running');
      expect(() => s.setOptions({ totalLag: -3 })).toThrow('invalid totalLag');
      expect(() => s.removeOldest(-1)).toThrow(RangeError);
    });
  });
});

describe('the b0s-sim command', () => {
  const bin = (args: string[]) => {
    if (!existsSync(path.join(__dirname, '..', 'dist', 'b0s-sim.cjs'))) throw new Error('dist/b0s-sim.cjs is missing: run `npm run build` (npm test does)');
    return spawnSync(process.execPath, [SIM_BIN, ...args], { encoding: 'utf8', timeout: 10_000 });
  };

  it('documents the flags and rejects bad values with one line and exit 2', () => {
    const help = bin(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--age-out N', '--ties N', '--shuffle-ties', '--total-lag N', '--page-quirks SPEC', '--pagination M']) expect(help.stdout).toContain(flag);
    for (const [args, message] of [
      [['--ties', '0'], '--ties wants an integer >= 1, got "0"'],
      [['--age-out=-2'], '--age-out wants an integer >= 0, got "-2"'],
      // node's parseArgs explains a value that looks like a flag over three lines.
      [['--age-out', '-2'], "Option '--age-out' argument is ambiguous. Did you forget"],
      [['--total-lag', 'x'], '--total-lag wants an integer'],
      [['--pagination', 'some'], '--pagination must be one of full, no-totals, none, got "some"'],
      [['--page-quirks', 'short:1'], 'invalid page quirk "short:1"'],
    ] as Array<[string[], string]>) {
      const r = bin(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('serves with the behaviours its flags ask for', async () => {
    const proc = spawn(process.execPath, [SIM_BIN, '--port', '0', '--sessions', '12', '--ties', '3', '--shuffle-ties', '--age-out', '2', '--total-lag', '1', '--page-quirks', 'same-id', '--pagination', 'none'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => proc.on('close', (c) => resolve(c)));
    try {
      const banner = await new Promise<string>((resolve) => {
        let text = '';
        proc.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('Ctrl-C')) resolve(text);
        });
      });
      const url = /listening on (\S+)/.exec(banner)?.[1] ?? '';
      const token = /BORDER0_ADMIN_TOKEN=(\S+)/.exec(banner)?.[1] ?? '';
      const body = (await (await fetch(`${url}/sessions?page_size=100`, { headers: { 'x-access-token': token } })).json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['session_logs']);
      const logs = body.session_logs as Session[];
      expect(logs).toHaveLength(10);
      expect(new Set(ids(logs)).size).toBe(1);
      expect(new Set(logs.map((x) => x.start_time)).size).toBe(4);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
