// stdout that fails: a closed reader is a quiet stop, anything else (a full disk, a
// failing device) is exit 1 with one line, and the walk stops either way.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { b0s, type RunOptions } from './helpers/world';
import { useSimulator } from './helpers/sim';

const { sim, env } = useSimulator({ sessions: 2000 });

/** A stdout that takes `okWrites` writes, then fails every one with `code`, as Node's streams report it. */
function failingStdout(code: 'EIO' | 'ENOSPC' | 'EPIPE', errno: number, okWrites: number): NonNullable<RunOptions['stdout']> {
  let writes = 0;
  return new Writable({
    highWaterMark: 1024,
    write(_chunk, _enc, cb) {
      if (++writes <= okWrites) return cb();
      cb(Object.assign(new Error(`write ${code}`), { code, errno, syscall: 'write' }));
    },
  });
}

const listRequests = () => sim().requests.filter((q) => q.path.endsWith('/sessions'));

describe('stdout that fails', () => {
  for (const format of ['json', 'ndjson', 'csv', 'table']) {
    it(`EIO in the middle of list --all -o ${format}: exit 1, one line, and the walk stops`, async () => {
      sim().resetRequests();
      const r = await b0s(['list', '--all', '--page-size', '50', '--concurrency', '1', '-o', format], { env: env(), stdout: failingStdout('EIO', -5, 2) });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('b0s: cannot write the output: i/o error\n');
      // 40 pages would be needed for everything.
      expect(listRequests().length).toBeLessThan(10);
    });
  }

  it('ENOSPC on the only write of show -o json: exit 1', async () => {
    const s = sim().sessionAt(0);
    const r = await b0s(['show', `${s.socket_id}/${s.session_id}`, '-o', 'json'], { env: env(), stdout: failingStdout('ENOSPC', -28, 0) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('b0s: cannot write the output: no space left on device\n');
  });

  it('EPIPE (the reader went away): exit 0, nothing on stderr, and the walk stops', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--all', '--page-size', '50', '--concurrency', '1', '-o', 'ndjson'], { env: env(), stdout: failingStdout('EPIPE', -32, 2) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(listRequests().length).toBeLessThan(10);
  });
});
