// Loading conf (for the settings or what a table showed) must not change how b0s meets
// signals: its atomic writer's exit hook re-raises SIGXFSZ, SIGINT, SIGTERM and others.
// Under a file size limit, with a remembered table on disk (so conf is loaded), `-O` is
// still the one-line error and exit 1, not a silent death by SIGXFSZ.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSession, useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { recordOutput } from './helpers/world';

const { sim, env } = useSimulator({ sessions: 40 });
const tmp = useTempDir();

describe('conf and signals', () => {
  it('replay -O under `ulimit -f 1` with a remembered table: one line, exit 1, nothing left', async () => {
    const s = findSession(sim(), (x) => Boolean(x.end_time) && x.recordings?.[0]?.recording_type === 'asciinema');
    const home = tmp('home');
    mkdirSync(path.join(home, '.config', 'b0s'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'b0s', 'recent.json'), JSON.stringify({ recent: { api: sim().url, savedAt: 0, sessions: [[s.session_id, s.socket_id, 'prod-ssh']] } }));
    const out = tmp('out');
    const bin = path.join(__dirname, '..', 'bin', 'b0s');
    const args = ['replay', s.socket_id, s.session_id, '--format', 'raw', '-O', path.join(out, 'recording.raw')];
    const r = await new Promise<{ code: number | string | undefined; stderr: string }>((resolve) => {
      execFile('sh', ['-c', 'ulimit -f 1 && exec "$0" "$@"', process.execPath, bin, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ...env() } }, (err, stdout, stderr) => {
        recordOutput(Buffer.from(stdout), Buffer.from(stderr));
        resolve({ code: err ? (err.code ?? err.signal ?? undefined) : 0, stderr });
      });
    });
    expect(r.stderr.trim()).toMatch(/^b0s: cannot write .*recording\.raw: larger than the file size limit; nothing was written$/);
    expect(r.code).toBe(1);
    expect(readdirSync(out)).toEqual([]);
  });
});
