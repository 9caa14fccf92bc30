// A crash at each step of an export run: the file system "dies" before its Nth operation
// (that one and every later one fail, as if the process had been killed there; an append
// that dies writes half its bytes first, as a full disk or a power cut can), then the
// next runs go on normally. Whatever step it was, no event is lost, the only repeats are
// the events the crashed run had written, and a run after that repeats nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../src/node-fs';
import type { AppendFile, FileSystem } from '../src/world';
import { kill, newestLive, sortedIds, truth, withSim } from './helpers/export';
import { SIM_NOW } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s } from './helpers/world';

const tmp = useTempDir();
const SINCE = SIM_NOW - 24 * 3_600_000;
/** Above Linux's largest PID: the crashed run's lock names a process that no longer runs. */
const DEAD_PID = 2 ** 22 + 1;

class Crash extends Error {}

/** The real file system, until operation number `at` (from 1): from there on every operation fails. */
function crashingFs(at: number): { fs: FileSystem; ops: string[] } {
  const ops: string[] = [];
  const step = (name: string) => {
    ops.push(name);
    if (ops.length >= at) throw new Crash(`crashed at ${name}`);
  };
  const wrapHandle = (h: AppendFile): AppendFile => ({
    created: h.created,
    atLineStart: h.atLineStart,
    async append(data) {
      try {
        step('append');
      } catch (err) {
        // Half of it reached the file before the crash.
        if (ops.length === at) await h.append(data.slice(0, Math.floor(data.length / 2)));
        throw err;
      }
      return h.append(data);
    },
    async sync() {
      step('sync');
      return h.sync();
    },
    async close() {
      // Closing is what the kernel does anyway when a process dies.
      return h.close();
    },
  });
  const fs: FileSystem = {
    async readRegularFile(p, max) {
      step('read');
      return nodeFileSystem.readRegularFile(p, max);
    },
    async stat(p) {
      step('stat');
      return nodeFileSystem.stat(p);
    },
    async writeFile(p, data, opts) {
      step('writeFile');
      return nodeFileSystem.writeFile(p, data, opts);
    },
    async openAppend(p) {
      step('openAppend');
      return wrapHandle(await nodeFileSystem.openAppend(p));
    },
    async createExclusive(p, data) {
      step('createExclusive');
      return nodeFileSystem.createExclusive(p, data);
    },
    async remove(p) {
      step('remove');
      return nodeFileSystem.remove(p);
    },
    async mkdir(p) {
      step('mkdir');
      return nodeFileSystem.mkdir(p);
    },
  };
  return { fs, ops };
}

/** Events in the file by ID; a line the crash cut in half is not an event. */
function eventsIn(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [(JSON.parse(line) as { event_id: string }).event_id];
      } catch {
        return [];
      }
    });
}

describe('a crash at each step of a run', () => {
  it('loses nothing, repeats only what the crashed run wrote, and the run after repeats nothing', async () => {
    let complete: string[] | undefined;
    for (let at = 1; !complete; at++) {
      await withSim({ sessions: 120 }, async (sim, env) => {
        const dir = tmp(`crash-${at}`);
        const out = path.join(dir, 'out.ndjson');
        const args = ['export', '--checkpoint', path.join(dir, 'cp.json'), '--out', out, '--since', new Date(SINCE).toISOString()];
        expect((await b0s(args, { env, now: SIM_NOW })).code).toBe(0);
        const before = eventsIn(out).length;
        // Something to export in the run that crashes: arrivals, a kill.
        await kill(sim, newestLive(sim));
        sim.addSessions(2);

        const crashing = crashingFs(at);
        const crashed = await b0s(args, { env, now: SIM_NOW, fs: crashing.fs, pid: DEAD_PID });
        // Past the last step, the run did not crash at all.
        if (crashing.ops.length < at) complete = crashing.ops;
        const step = crashing.ops[at - 1] ?? 'none';
        const writtenByCrash = eventsIn(out).slice(before);
        // After the checkpoint is written the run has succeeded; only its lock is left behind.
        expect(crashed.code, `crash at ${step}`).toBe(complete || step === 'remove' ? 0 : 1);

        const after = await b0s(args, { env, now: SIM_NOW });
        expect(after.code, `run after a crash at ${step}: ${after.stderr}`).toBe(0);
        const all = eventsIn(out);
        const expected = sortedIds(truth(sim, SINCE).keys());
        // Nothing lost.
        expect(sortedIds(new Set(all)), `crash at ${step}`).toEqual(expected);
        // Repeats only of what the crashed run had written.
        const seen = new Set<string>();
        const repeats = all.filter((id) => seen.has(id) || !seen.add(id));
        expect(repeats.every((id) => writtenByCrash.includes(id)), `crash at ${step}`).toBe(true);
        // A crash before the checkpoint moved: the next run redid that run's work.
        if (['append', 'sync'].includes(step)) expect(repeats.length).toBeGreaterThan(0);

        const still = await b0s(args, { env, now: SIM_NOW });
        expect([still.code, still.stderr, eventsIn(out).length], `crash at ${step}`).toEqual([0, '', all.length]);
      });
    }
    // The steps, in order: the lock, the checkpoint, the output, the events, the fsync,
    // the new checkpoint, the lock released.
    expect(complete).toEqual(['createExclusive', 'read', 'openAppend', 'append', 'sync', 'writeFile', 'remove']);
  });
});
