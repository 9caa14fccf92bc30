// The fault matrix: with each kind of fault injected at a steady rate (and all at
// once), `list --all` gives exactly what a fault-free run gives; with faults that never
// clear, it fails with one clear line, the right exit code, and valid partial output.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { FAULT_KINDS } from '../src/simulator';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { parseNdjson } from './helpers/parse';

// 20 pages of 50, a short timeout so the `slow` fault costs little real time (but long
// enough for a whole answer on a busy 2-core machine: it bounds the whole response).
const { sim, env } = useSimulator({ sessions: 1000, slowMs: 1500, retryAfterSeconds: 1 });
const WALK = ['list', '--all', '--page-size', '50', '-o', 'ndjson', '--timeout', '0.4', '--retries', '8'];

async function walkIds(args: string[] = WALK): Promise<{ code: number; ids: string[]; stderr: string; stdout: string }> {
  const r = await b0s(args, { env: env() });
  return { code: r.code, ids: (parseNdjson(r.stdout) as Session[]).map((s) => s.session_id), stderr: r.stderr, stdout: r.stdout };
}

describe('faults that clear: same output as a clean run, exit 0', () => {
  let clean: string[] = [];
  it('a clean run reads every session', async () => {
    sim().setFaults('');
    const r = await walkIds();
    expect(r.code).toBe(0);
    expect(r.ids).toHaveLength(1000);
    clean = r.ids;
  });

  for (const kind of FAULT_KINDS) {
    it(`${kind} on 20% of requests`, async () => {
      sim().setFaults(`${kind}:0.2`);
      sim().resetRequests();
      try {
        const r = await walkIds();
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.ids).toEqual(clean);
        expect(sim().requests.some((q) => q.fault === kind)).toBe(true);
      } finally {
        sim().setFaults('');
      }
    });
  }

  it('every kind at once, 30% of requests in all', async () => {
    sim().setFaults(FAULT_KINDS.map((k) => `${k}:0.025`).join(','));
    try {
      const r = await walkIds();
      expect(r.code).toBe(0);
      expect(r.ids).toEqual(clean);
    } finally {
      sim().setFaults('');
    }
  });
});

describe('faults that never clear: one line, exit 1, valid partial output', () => {
  const cases: Array<[spec: string, message: RegExp]> = [
    ['503@4', /Border0 API error: .*\(HTTP 503, GET \/sessions\) \(after 3 attempts\)/],
    ['html@4', /HTTP 502 from 127\.0\.0\.1:\d+ for GET \/sessions \(not JSON: an HTML page\) \(after 3 attempts\)/],
    ['empty@4', /HTTP 503 from 127\.0\.0\.1:\d+ for GET \/sessions \(empty body\)/],
    ['reset@4', /the connection to 127\.0\.0\.1:\d+ was closed before the response was complete \(after 3 attempts\)/],
    ['truncate@4', /127\.0\.0\.1:\d+.*(closed before the response was complete|cut off)/],
    ['malformed@4', /the response to GET \/sessions is not valid JSON/],
    ['slow@4', /127\.0\.0\.1:\d+ did not (answer|send the whole response) within 0\.4 s \(--timeout\)/],
  ];
  for (const [spec, message] of cases) {
    it(spec, async () => {
      sim().setFaults(spec);
      try {
        const args = ['list', '--all', '--page-size', '50', '--concurrency', '1', '--timeout', '0.4', '--retries', '2'];
        const nd = await walkIds([...args, '-o', 'ndjson']);
        expect(nd.code).toBe(1);
        expect(nd.stderr).toMatch(message);
        expect(nd.stderr.trim().split('\n')).toHaveLength(1);
        // The pages before the fault arrived intact, every line complete, in order.
        expect(nd.ids.length).toBeGreaterThanOrEqual(50);
        expect(nd.ids).toEqual(Array.from({ length: nd.ids.length }, (_, i) => sim().sessionAt(i).session_id));
        sim().setFaults(spec);
        const json = await b0s([...args, '-o', 'json'], { env: env() });
        expect(json.code).toBe(1);
        expect((JSON.parse(json.stdout) as unknown[]).length).toBe(nd.ids.length);
      } finally {
        sim().setFaults('');
      }
    });
  }

  it('4xx other than 429 is not retried', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--result', 'success'], { env: { ...env(), BORDER0_ADMIN_TOKEN: 'not-the-token' } });
    expect(r.code).toBe(3);
    expect(sim().requests).toHaveLength(1);
  });

  it('a 429 that never clears ends with exit 1 after the retries, not a hang', async () => {
    sim().setFaults('429');
    sim().setOptions({ retryAfterSeconds: 1 });
    try {
      sim().resetRequests();
      const r = await b0s(['list', '--retries', '3'], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/HTTP 429.*after 4 attempts/);
      expect(sim().requests).toHaveLength(4);
    } finally {
      sim().setFaults('');
    }
  });
});

describe('network failures in words', () => {
  it('connection refused', async () => {
    const r = await b0s(['list'], { env: { ...env(), BORDER0_API: 'http://127.0.0.1:9/api/v1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connection refused by 127\.0\.0\.1:9: nothing is listening there/);
  });

  it('a host that does not resolve', async () => {
    const r = await b0s(['list', '--retries', '0'], { env: { ...env(), BORDER0_API: 'https://api.border0.invalid/api/v1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/(cannot resolve api\.border0\.invalid|DNS lookup of api\.border0\.invalid failed)/);
  });
});

describe('--debug', () => {
  it('traces every attempt on stderr, says where the token came from, never the token', async () => {
    sim().setFaults('503@1-1');
    try {
      const r = await b0s(['list', '--page-size', '5', '--debug', '-o', 'json'], { env: env() });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('token from BORDER0_ADMIN_TOKEN');
      expect(r.stderr).toMatch(/GET \/api\/v1\/sessions\?page=1&page_size=5 → 503 .*attempt 1/);
      expect(r.stderr).toMatch(/GET \/api\/v1\/sessions\?page=1&page_size=5 → 200 .*attempt 2/);
      expect(r.stderr).not.toContain(sim().token);
    } finally {
      sim().setFaults('');
    }
  });

  it('shows a stack trace only with --debug', async () => {
    const plain = await b0s(['list', '--retries', '0'], { env: { ...env(), BORDER0_API: 'http://127.0.0.1:9/api/v1' } });
    expect(plain.stderr).not.toContain('    at ');
    const debug = await b0s(['list', '--retries', '0', '--debug'], { env: { ...env(), BORDER0_API: 'http://127.0.0.1:9/api/v1' } });
    expect(debug.stderr).toContain('    at ');
  });
});
