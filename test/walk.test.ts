// `list --all` must give every session that existed when it began exactly once, in the
// API's order, whatever the server does with page sizes, next_page, arrivals and faults.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s } from './helpers/world';
import { SIM_NOW, useSimulator } from './helpers/sim';
import { parseNdjson } from './helpers/parse';

const { sim, env } = useSimulator({ sessions: 2000 });

function snapshot(): string[] {
  const ids: string[] = [];
  for (let i = 0; i < sim().sessionCount(); i++) ids.push(sim().sessionAt(i).session_id);
  return ids;
}

async function walk(args: string[] = []): Promise<{ ids: string[]; code: number; stderr: string; sessions: Session[] }> {
  const r = await b0s(['list', '--all', '-o', 'ndjson', ...args], { env: env(), now: SIM_NOW });
  const sessions = parseNdjson(r.stdout) as Session[];
  return { ids: sessions.map((s) => s.session_id), code: r.code, stderr: r.stderr, sessions };
}

const listRequests = () => sim().requests.filter((q) => q.path.endsWith('/sessions'));

/** Clears the simulator's request log once requests a previous run aborted have landed. */
async function freshRequests(): Promise<void> {
  for (let seen = -1; seen !== sim().requests.length; ) {
    seen = sim().requests.length;
    await new Promise((r) => setTimeout(r, 30));
  }
  sim().resetRequests();
}

describe('list --all', () => {
  it('gives every session once, in order', async () => {
    const before = snapshot();
    await freshRequests();
    const r = await walk();
    expect(r.code).toBe(0);
    expect(r.ids).toEqual(before);
    // 20 pages' worth, cut a little wider (up to a quarter) so that each page starts on
    // a session already read; one more page confirms the end.
    expect(listRequests().length).toBeLessThanOrEqual(21);
    expect(listRequests().every((q) => Number(q.query.page_size) <= 125)).toBe(true);
  });

  it('follows the page size the server actually used when it caps the requested one', async () => {
    sim().setOptions({ maxPageSize: 70 });
    try {
      const before = snapshot();
      const r = await walk(['--page-size', '100']);
      expect(r.ids).toEqual(before);
    } finally {
      sim().setOptions({ maxPageSize: 1000 });
    }
  });

  for (const lastNextPage of ['zero', 'null', 'missing'] as const) {
    it(`ends cleanly when next_page on the last page is ${lastNextPage}`, async () => {
      sim().setOptions({ lastNextPage });
      try {
        const before = snapshot();
        await freshRequests();
        // 2000 is a multiple of 100 and not of 300: both a full and a short last page.
        expect((await walk(['--page-size', '100'])).ids).toEqual(before);
        // 20 pages' worth, and one more that confirms the end.
        expect(listRequests().length).toBeLessThanOrEqual(21);
        expect((await walk(['--page-size', '300'])).ids).toEqual(before);
      } finally {
        sim().setOptions({ lastNextPage: 'zero' });
      }
    });
  }

  it('survives 429s and 5xx mixed in, with the same output as a clean run', async () => {
    const before = snapshot();
    sim().setFaults('429:0.15,500:0.05,502:0.05,503:0.05');
    sim().setOptions({ retryAfterSeconds: 2 });
    try {
      await freshRequests();
      const r = await walk();
      expect(r.code).toBe(0);
      expect(r.ids).toEqual(before);
      expect(sim().requests.some((q) => q.status === 429)).toBe(true);
      expect(sim().requests.some((q) => q.status >= 500)).toBe(true);
    } finally {
      sim().setFaults('');
      sim().setOptions({ retryAfterSeconds: 1 });
    }
  });

  it('a 429 slows the whole walk: Retry-After is honoured before the next request', async () => {
    sim().setFaults('429@3-3');
    sim().setOptions({ retryAfterSeconds: 3 });
    const sleeps: number[] = [];
    try {
      const r = await b0s(['list', '--all', '-o', 'ndjson'], { env: env(), sleeps });
      expect(r.code).toBe(0);
      // The limiter paused for the full Retry-After (3 s) before anyone sent again.
      expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(2900);
    } finally {
      sim().setFaults('');
      sim().setOptions({ retryAfterSeconds: 1 });
    }
  });
});

describe('list --limit and --since', () => {
  it('--limit stops after exactly n sessions, walking pages as needed', async () => {
    const before = snapshot();
    await freshRequests();
    const r = await b0s(['list', '--limit', '250', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Session[]).map((s) => s.session_id)).toEqual(before.slice(0, 250));
    // Pages 1-3 are needed; a few more may have been fetched ahead, not all 20.
    expect(listRequests().length).toBeLessThan(12);
  });

  it('--limit smaller than a page asks for a smaller page', async () => {
    await freshRequests();
    const r = await b0s(['list', '--limit', '7', '-o', 'ndjson'], { env: env() });
    expect(parseNdjson(r.stdout)).toHaveLength(7);
    expect(listRequests()[0]?.query.page_size).toBe('7');
  });

  it('--since keeps only newer sessions and stops reading once past them', async () => {
    const since = SIM_NOW - 24 * 3600_000;
    const expected: string[] = [];
    for (let i = 0; i < sim().sessionCount(); i++) {
      const s = sim().sessionAt(i);
      if (Date.parse(String(s.start_time)) >= since) expected.push(s.session_id);
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(sim().sessionCount() / 2);
    await freshRequests();
    const r = await b0s(['list', '--since', new Date(since).toISOString(), '-o', 'ndjson'], { env: env(), now: SIM_NOW });
    expect(r.code).toBe(0);
    expect((parseNdjson(r.stdout) as Session[]).map((s) => s.session_id)).toEqual(expected);
    // The pages that hold the answer, plus at most one past the boundary (and the one
    // check b0s makes of how the server pages).
    const pagesNeeded = Math.ceil(expected.length / 100) + 1;
    expect(listRequests().length).toBeLessThanOrEqual(pagesNeeded + 2);
    expect(listRequests()[0]?.query.start_date_after).toBe(new Date(since).toISOString());
  });

  it('--since with a relative span and --until bound the window on both sides', async () => {
    const r = await b0s(['list', '--since', '48h', '--until', '24h', '-o', 'ndjson'], { env: env(), now: SIM_NOW, speedup: 1 });
    expect(r.code).toBe(0);
    const starts = (parseNdjson(r.stdout) as Session[]).map((s) => Date.parse(String(s.start_time)));
    expect(starts.length).toBeGreaterThan(0);
    for (const t of starts) {
      expect(t).toBeGreaterThanOrEqual(SIM_NOW - 48 * 3600_000 - 60_000);
      expect(t).toBeLessThanOrEqual(SIM_NOW - 24 * 3600_000 + 60_000);
    }
  });
});

describe('interrupted walks', () => {
  it('Ctrl-C stops the walk: exit 130, and every line written is a complete session', async () => {
    sim().setOptions({ latencyMs: 20 });
    const ctl = new AbortController();
    try {
      const run = b0s(['list', '--all', '-o', 'ndjson', '--concurrency', '2'], { env: env(), signal: ctl.signal });
      setTimeout(() => ctl.abort(), 150);
      const r = await run;
      expect(r.code).toBe(130);
      const lines = parseNdjson(r.stdout) as Session[];
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThan(sim().sessionCount());
      expect(lines.every((s) => typeof s.session_id === 'string')).toBe(true);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });

  it('Ctrl-C during -o json still leaves a valid (closed) JSON array', async () => {
    sim().setOptions({ latencyMs: 20 });
    const ctl = new AbortController();
    try {
      const run = b0s(['list', '--all', '-o', 'json', '--concurrency', '2'], { env: env(), signal: ctl.signal });
      setTimeout(() => ctl.abort(), 150);
      const r = await run;
      expect(r.code).toBe(130);
      const sessions = JSON.parse(r.stdout) as Session[];
      expect(sessions.length).toBeGreaterThan(0);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });
});

describe('list --all while sessions keep starting', () => {
  // A simulator of its own: arrivals would change the data the other tests expect.
  const live = useSimulator({ sessions: 1500 });

  for (const [name, perRequest, concurrency] of [
    ['a few sessions arrive with every request', 3, 8],
    ['sessions arrive and pages are read one at a time', 7, 1],
    // Last: it adds thousands of sessions.
    ['more than a page arrives with every request', 130, 8],
  ] as const) {
    it(`no loss and no duplicates when ${name}`, async () => {
      const before: string[] = [];
      for (let i = 0; i < live.sim().sessionCount(); i++) before.push(live.sim().sessionAt(i).session_id);
      live.sim().setOptions({ arrivalsPerListRequest: perRequest });
      try {
        const r = await b0s(['list', '--all', '-o', 'ndjson', '--concurrency', String(concurrency)], { env: live.env() });
        expect(r.code).toBe(0);
        const ids = (parseNdjson(r.stdout) as Session[]).map((s) => s.session_id);
        expect(new Set(ids).size).toBe(ids.length);
        // The list as it stood when page 1 was answered: the sessions that arrived with
        // that first request, then everything that was there before. Later arrivals are
        // newer than the walk and are left out.
        expect(ids.slice(perRequest)).toEqual(before);
        expect(ids.slice(0, perRequest).some((id) => before.includes(id))).toBe(false);
      } finally {
        live.sim().setOptions({ arrivalsPerListRequest: 0 });
      }
    });
  }
});

describe('progress', () => {
  it('shows pages and sessions fetched on a terminal stderr, with the total', async () => {
    sim().setOptions({ latencyMs: 5 });
    try {
      const r = await b0s(['list', '--all', '-o', 'ndjson'], { env: env(), tty: { stderr: true }, columns: 100, speedup: 1 });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Fetching sessions: [\d,]+ of [\d,]+ · page [\d,]+ of 20 · [\d,]+\/s/);
      expect(parseNdjson(r.stdout)).toHaveLength(sim().sessionCount());
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });

  it('shows nothing when stderr is not a terminal, or reports no width', async () => {
    const piped = await b0s(['list', '--all', '-o', 'ndjson'], { env: env() });
    expect(piped.stderr).toBe('');
    const zero = await b0s(['list', '--all', '-o', 'ndjson'], { env: env(), tty: { stderr: true }, columns: 0 });
    expect(zero.code).toBe(0);
    expect(zero.stderr).toBe('');
  });
});

describe('a terminal table of a long walk', () => {
  it('prints the first 1,000 rows, says so on stderr, then streams the rest in the same columns', async () => {
    const r = await b0s(['list', '--all'], { env: env(), tty: { stdout: true, stderr: true }, columns: 160 });
    expect(r.code).toBe(0);
    const lines = r.stdout.replace(/\u001b\[[0-9;]*m/g, '').trimEnd().split('\n');
    expect(lines).toHaveLength(sim().sessionCount() + 1);
    expect(r.stderr).toContain('more than 1,000 rows');
    expect(r.stderr).toContain('use -o ndjson for scripts');
    // The ID column starts at the same place in rows before and after the cap.
    const idAt = (line: string) => line.search(/[0-9a-f]{8}$/);
    expect(idAt(lines[1] as string)).toBe(idAt(lines[1500] as string));
    // Older rows show dates, wider than the "5h ago" of the first ones: still whole.
    expect(lines[1500]).toMatch(/^\d{4}-\d{2}-\d{2} /);
    expect(lines.some((l) => l.includes('…'))).toBe(false);
  });
});
