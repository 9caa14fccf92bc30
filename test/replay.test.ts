import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s, recordOutput } from './helpers/world';
import { findSession, useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { LOG_ENCODINGS } from '../src/simulator/recordings';

const { sim, env } = useSimulator({ sessions: 300 });

const find = (pred: (s: Session) => boolean): Session => findSession(sim(), pred);
const types = (s: Session) => (s.recordings ?? []).map((r) => r.recording_type);
const ssh = () => find((s) => s.session_type === 'ssh' && types(s).length === 1 && types(s)[0] === 'asciinema' && Boolean(s.end_time) && !String(s.name).includes('\u001b'));
const db = () => find((s) => types(s)[0] === 'database_query_log');

async function apiLog(s: Session, recordingId: string): Promise<Buffer> {
  const res = await fetch(`${sim().url}/session/${s.socket_id}/${s.session_id}/session_log?recording_id=${recordingId}`, { headers: { 'x-access-token': sim().token } });
  return Buffer.from(await res.arrayBuffer());
}

const tmp = useTempDir();

async function queryLog(s: Session): Promise<string> {
  return JSON.parse((await apiLog(s, String(s.recordings?.[0]?.recording_id))).toString()) as string;
}

/** A database session whose log has a failed query (the simulator fails one in ten). */
async function dbWithFailedQuery(): Promise<Session> {
  for (let i = 0; i < sim().sessionCount(); i++) {
    const s = sim().sessionAt(i);
    if (types(s)[0] === 'database_query_log' && (await queryLog(s)).includes('"status":"error"')) return s;
  }
  throw new Error('the simulator has no database session with a failed query');
}

describe('b0s replay', () => {
  it('a terminal recording prints as the screen text, with prompts and commands', async () => {
    const s = ssh();
    const r = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/@[\w-]+:~\$ \S+/);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  it('a database recording prints one line per query: time, database, status, rows, duration, query', async () => {
    const s = await dbWithFailedQuery();
    const r = await b0s(['replay', `${s.socket_id}/${s.session_id}`], { env: env() });
    expect(r.code).toBe(0);
    const raw = await queryLog(s);
    type Query = { time: number; database: string; command: string; status: string; result: string };
    const queries = raw.trim().split('\n').map((l) => JSON.parse(l) as Query);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(queries.length);
    lines.forEach((line, i) => {
      const q = queries[i] as Query;
      expect(line.startsWith(new Date(q.time).toISOString())).toBe(true);
      expect(line).toContain(q.database);
      expect(line).toMatch(/\d+ (rows|rows affected)/);
      // Why a query failed is the line that matters; a success's result only repeats its rows.
      if (q.status === 'ok') expect(line).not.toContain('→');
      else expect(line.endsWith(`  → ${q.result}`)).toBe(true);
    });
  });

  it('several recordings print in order, each under a header; --recording picks one', async () => {
    const s = find((x) => types(x).length === 2);
    const r = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
    expect(r.code).toBe(0);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('── recording'));
    expect(headers).toHaveLength(2);
    expect(headers[0]).toContain(`recording 1 of 2 · ${s.recordings?.[0]?.recording_id}`);
    const second = String(s.recordings?.[1]?.recording_id);
    const one = await b0s(['replay', s.socket_id, s.session_id, '--recording', second], { env: env() });
    expect(one.code).toBe(0);
    expect(one.stdout).not.toContain('── recording');
    expect(r.stdout).toContain(one.stdout.trimEnd().split('\n').at(-1));
  });

  it('--format raw writes exactly the bytes the API sent', async () => {
    const s = ssh();
    const id = String(s.recordings?.[0]?.recording_id);
    const r = await b0s(['replay', s.socket_id, s.session_id, '--format', 'raw'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.equals(await apiLog(s, id))).toBe(true);
  });

  it('--format asciicast writes a valid asciicast v2 file', async () => {
    const s = ssh();
    const r = await b0s(['replay', s.socket_id, s.session_id, '--format', 'asciicast'], { env: env() });
    expect(r.code).toBe(0);
    const [header, ...events] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(header.version).toBe(2);
    expect(header.width).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e).toEqual([expect.any(Number), expect.any(String), expect.any(String)]);
  });

  it('every body encoding the API might use gives the same text', async () => {
    const s = ssh();
    const texts: string[] = [];
    for (const logEncoding of LOG_ENCODINGS) {
      sim().setOptions({ logEncoding });
      const r = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
      expect(r.code).toBe(0);
      texts.push(r.stdout);
    }
    sim().setOptions({ logEncoding: 'json-string' });
    expect(new Set(texts).size).toBe(1);
  });

  it('-O writes a file, refuses to overwrite it, and --force overwrites (keeping its permissions); no temporary file is left', async () => {
    const s = ssh();
    const dir = tmp();
    const file = path.join(dir, 'session.txt');
    const first = await b0s(['replay', s.socket_id, s.session_id, '-O', file], { env: env() });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/Wrote [\d,]+ bytes to /);
    const printed = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
    writeFileSync(file, 'keep me');
    const again = await b0s(['replay', s.socket_id, s.session_id, '-O', file], { env: env() });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists: use --force');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    chmodSync(file, 0o600);
    const forced = await b0s(['replay', s.socket_id, s.session_id, '-O', file, '--force'], { env: env() });
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['session.txt']);
  });

  it('-O: a write that fails part-way (the file size limit here, a full disk alike) leaves nothing behind, and the rerun is not refused', async () => {
    const s = ssh();
    const recording = String(s.recordings?.[0]?.recording_id);
    const expected = await apiLog(s, recording);
    expect(expected.length).toBeGreaterThan(2048);
    const dir = tmp();
    const file = path.join(dir, 'recording.raw');
    const args = ['replay', s.socket_id, s.session_id, '--format', 'raw', '-O', file];
    // The real bin under `ulimit -f 1`: the kernel refuses every write past the first 512 or 1024 bytes.
    const limited = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const bin = path.join(__dirname, '..', 'bin', 'b0s');
      execFile('sh', ['-c', 'ulimit -f 1 && exec "$0" "$@"', process.execPath, bin, ...args], { env: { PATH: process.env.PATH ?? '', HOME: tmp(), ...env() } }, (err, stdout, stderr) => {
        recordOutput(Buffer.from(stdout), Buffer.from(stderr));
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stderr });
      });
    });
    expect(limited.stderr.trim()).toMatch(/^b0s: cannot write .*recording\.raw: larger than the file size limit; nothing was written$/);
    expect(limited.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    const rerun = await b0s(args, { env: env() });
    expect(rerun.code).toBe(0);
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(readdirSync(dir)).toEqual(['recording.raw']);
  });

  it('-O --force into a FIFO (or a device) writes into it rather than replacing it', async () => {
    const s = ssh();
    const fifo = path.join(tmp(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const read = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      createReadStream(fifo)
        .on('data', (c) => chunks.push(c as Buffer))
        .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        .on('error', reject);
    });
    const r = await b0s(['replay', s.socket_id, s.session_id, '-O', fifo, '--force'], { env: env() });
    expect(r.code).toBe(0);
    const printed = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
    expect(await read).toBe(printed.stdout);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('-O - is stdout; a folder, or a file in a missing folder, is one clear line', async () => {
    const s = ssh();
    const dash = await b0s(['replay', s.socket_id, s.session_id, '-O', '-'], { env: env() });
    expect(dash.code).toBe(0);
    expect(dash.stdout.length).toBeGreaterThan(0);
    const dir = tmp();
    const folder = await b0s(['replay', s.socket_id, s.session_id, '-O', dir], { env: env() });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('is a folder: give -O a file name');
    const missing = await b0s(['replay', s.socket_id, s.session_id, '-O', path.join(dir, 'no', 'such', 'x.txt')], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot write .*x\.txt: its folder does not exist/);
  });

  it('a session without recordings says so, exit 4', async () => {
    const s = find((x) => x.result === 'denied');
    const r = await b0s(['replay', s.socket_id, s.session_id], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('has no recordings');
  });

  it('an unknown --recording is exit 4 and names the ones there are', async () => {
    const s = ssh();
    const r = await b0s(['replay', s.socket_id, s.session_id, '--recording', 'nope'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(String(s.recordings?.[0]?.recording_id));
  });

  it('refuses raw bytes to a terminal, and asciicast of a query log', async () => {
    const s = ssh();
    const raw = await b0s(['replay', s.socket_id, s.session_id, '--format', 'raw'], { env: env(), tty: { stdout: true } });
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain('refusing to write a raw recording to the terminal');
    const d = db();
    const cast = await b0s(['replay', d.socket_id, d.session_id, '--format', 'asciicast'], { env: env() });
    expect(cast.code).toBe(2);
    expect(cast.stderr).toContain('not a terminal recording');
    expect(cast.stderr).toContain('use --format text or raw');
    // A browser session's video has no text form either: the way out named is one that works.
    const browser = find((s) => types(s).length === 1 && types(s)[0] === 'browser_session_stream');
    const video = await b0s(['replay', browser.socket_id, browser.session_id, '--format', 'asciicast'], { env: env() });
    expect(video.code).toBe(2);
    expect(video.stderr).toContain('use --format raw -O FILE');
    expect((await b0s(['replay', browser.socket_id, browser.session_id, '--format', 'raw', '-O', path.join(tmp(), 'video.raw')], { env: env() })).code).toBe(0);
  });

  it('finds the session from its short ID', async () => {
    const s = ssh();
    const r = await b0s(['replay', s.session_id.slice(0, 8)], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });
});
