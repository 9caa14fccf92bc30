// `npm run bench`: each benchmark compares two runs of the real b0s bin measured in the
// same session (machines here are noisy, so absolute times mean little) and prints the
// ratio against its target. Exit code 1 when a target is missed.
// `npm run bench -- render` runs only the benchmarks whose name starts with "render".
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { b0sBin, root, startSimProcess } from '../scripts/sim-process.mjs';

// An empty home of the benchmarks' own: no settings of the user's, and what b0s keeps
// there (names a terminal showed) goes away with it.
const home = mkdtempSync(path.join(os.tmpdir(), 'b0s-bench-'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

/** Runs b0s, hashing stdout as it streams (never holding it), and times it. */
function b0s(args, env, preload = []) {
  return node([...preload.flatMap((p) => ['-r', path.join(root, 'bench', p)]), b0sBin, ...args], env);
}

/** A bare `node -e 0`, run and timed as b0s is: the floor any Node program starts from. */
function bareNode() {
  return node(['-e', '0'], {});
}

function node(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // Nothing else from this environment: NODE_EXTRA_CA_CERTS alone adds ~40 ms to a start.
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d) => {
      hash.update(d);
      bytes += d.length;
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      const rss = /B0S_BENCH_MAX_RSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, bytes, digest: hash.digest('hex'), maxRssKb: rss ? Number(rss[1]) : undefined });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The best of n runs: the least disturbed by whatever else the machine is doing. */
async function best(n, fn) {
  let top;
  for (let i = 0; i < n; i++) {
    const r = await fn();
    if (!top || r.ms < top.ms) top = r;
  }
  return top;
}

const results = [];
function report(name, ratio, target, ok, detail) {
  results.push(ok);
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${ratio.toFixed(2)}x (target ${target})\n      ${detail}`);
}

async function walkBenchmark() {
  const sim = await startSimProcess(['--sessions', '20000', '--latency', '30']);
  try {
    const args = ['list', '--all', '--page-size', '100', '-o', 'ndjson'];
    const fast = await best(2, () => b0s(args, sim.env));
    const slow = await best(1, () => b0s([...args, '--concurrency', '1'], sim.env));
    const same = fast.digest === slow.digest && fast.bytes > 0;
    const ratio = slow.ms / fast.ms;
    report(
      'walk of 20,000 sessions, 30 ms latency: default concurrency vs one page at a time',
      ratio,
      '>= 4x faster, identical output',
      ratio >= 4 && same,
      `default ${fast.ms.toFixed(0)} ms, sequential ${slow.ms.toFixed(0)} ms, output ${same ? 'identical' : 'DIFFERENT'} (${(fast.bytes / 1e6).toFixed(1)} MB)`,
    );
  } finally {
    sim.stop();
  }
}

async function memoryBenchmark() {
  const sim = await startSimProcess(['--sessions', '200000']);
  try {
    // The default page size (100), as a SIEM job would run it.
    const run = (limit) => b0s(['list', '--all', '--limit', String(limit), '-o', 'ndjson'], sim.env, ['max-rss.cjs']);
    const small = await run(2000);
    const large = await run(200000);
    const ratio = large.maxRssKb / small.maxRssKb;
    report(
      'peak memory streaming 200,000 sessions as NDJSON vs 2,000',
      ratio,
      '<= 1.3x',
      ratio <= 1.3,
      `2,000: ${(small.maxRssKb / 1024).toFixed(0)} MB, 200,000: ${(large.maxRssKb / 1024).toFixed(0)} MB (${(large.bytes / 1e6).toFixed(0)} MB written)`,
    );
  } finally {
    sim.stop();
  }
}

async function tableBenchmark() {
  const sim = await startSimProcess(['--sessions', '10000']);
  try {
    const args = ['list', '--all', '--page-size', '1000'];
    const ndjson = await best(3, () => b0s([...args, '-o', 'ndjson'], sim.env));
    const table = await best(3, () => b0s([...args, '-o', 'table'], { ...sim.env, NO_COLOR: '' }, ['fake-tty.cjs']));
    const ratio = table.ms / ndjson.ms;
    report(
      'table output of 10,000 rows on a terminal vs NDJSON of the same rows',
      ratio,
      '<= 3x',
      ratio <= 3,
      `table ${table.ms.toFixed(0)} ms, ndjson ${ndjson.ms.toFixed(0)} ms`,
    );
  } finally {
    sim.stop();
  }
}

/** A terminal session of about `bytes` of output: what a busy admin's SSH session holds. */
function busySession(bytes) {
  const ESC = '\u001b';
  const prompt = `${ESC}[01;32madmin@web-1${ESC}[00m:${ESC}[01;34m~/app${ESC}[00m$ `;
  const events = [];
  let size = 0;
  const out = (text) => {
    events.push(text);
    size += text.length;
  };
  for (let n = 0; size < bytes; n++) {
    out(prompt);
    // Typed one key at a time, with a typo corrected as bash echoes it.
    for (const ch of `grep -rn ERROR logs/app-${n}.log`) out(ch);
    out('x');
    out(`\b${ESC}[K`);
    out('\r\n');
    for (let i = 0; i < 40; i++) out(`logs/app-${n}.log:${i}: ${ESC}[31mERROR${ESC}[0m request ${n * 100 + i} failed after ${i * 7} ms: upstream reset\r\n`);
    // A progress bar redrawn in place.
    for (let p = 0; p <= 100; p += 5) out(`\rDownloading release-${n}.tar.gz ${String(p).padStart(3)}% [${'='.repeat(p / 5).padEnd(20)}]`);
    out('\r\n');
    if (n % 10 === 0) {
      // less on the alternate screen, paging down a few times.
      out(`${ESC}[?1049h${ESC}[H${ESC}[2J`);
      for (let page = 0; page < 3; page++) {
        out(`${ESC}[H`);
        for (let r = 0; r < 23; r++) out(`${ESC}[2K${n}.${page}.${r} ${'lorem ipsum dolor sit amet '.repeat(2)}\r\n`);
        out(':');
      }
      out(`${ESC}[?1049l`);
    }
    if (n % 25 === 0) out(`${ESC}[H${ESC}[2J${ESC}[3J`);
  }
  return events;
}

/** Plain lines of about `bytes`, in events of about the same sizes as the busy session's. */
function plainLines(bytes) {
  const events = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `plain line ${i} of ordinary output, about as long as a log line is\r\n`;
    events.push(line);
    size += line.length;
  }
  return events;
}

/** Serves one session with one terminal recording, as the API's session_log does. */
async function recordingServer(events) {
  const header = JSON.stringify({ version: 2, width: 160, height: 40, timestamp: 1795168800 });
  const body = Buffer.from(JSON.stringify([header, ...events.map((e, i) => JSON.stringify([i / 100, 'o', e]))].join('\n')));
  const socket = '0b6e8f2e-2f36-4a0c-9c1e-5d1f3e7a9b10';
  const session = 'a0000000-0000-4000-8000-000000000001';
  const server = http.createServer((req, res) => {
    if (req.url.includes('/session_log')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      const recordings = [{ recording_id: 'r1', recording_type: 'asciinema', start_time: '2026-11-20T10:00:00Z' }];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ session_id: session, socket_id: socket, recordings }));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    env: { BORDER0_API: `http://127.0.0.1:${server.address().port}/api/v1`, BORDER0_ADMIN_TOKEN: 'bench-token' },
    args: ['replay', socket, session],
    bytes: body.length,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function renderBenchmark() {
  const size = 16 * 1024 * 1024;
  const run = async (events) => {
    const server = await recordingServer(events);
    try {
      const r = await best(2, () => b0s(server.args, server.env, ['max-rss.cjs']));
      return { ...r, mbPerSecond: server.bytes / 1e6 / (r.ms / 1000), mb: server.bytes / 1e6 };
    } finally {
      await server.close();
    }
  };
  const plain = await run(plainLines(size));
  const busy = await run(busySession(size));
  const ratio = plain.mbPerSecond / busy.mbPerSecond;
  const memory = busy.maxRssKb / plain.maxRssKb;
  report(
    'render a busy 16 MB terminal session (colours, typing, progress bars, less, clears) vs 16 MB of plain lines',
    ratio,
    '<= 3x slower, <= 1.5x the memory',
    ratio <= 3 && memory <= 1.5,
    `busy ${busy.mbPerSecond.toFixed(1)} MB/s, peak ${(busy.maxRssKb / 1024).toFixed(0)} MB; plain ${plain.mbPerSecond.toFixed(1)} MB/s, peak ${(plain.maxRssKb / 1024).toFixed(0)} MB (memory ${memory.toFixed(2)}x)`,
  );
}

/** How many recordings the sessions of a simulator hold, from its own list. */
async function recordingCount(env) {
  const res = await fetch(`${env.BORDER0_API}/sessions?page=1&page_size=1000`, { headers: { 'x-access-token': env.BORDER0_ADMIN_TOKEN } });
  const { session_logs: sessions } = await res.json();
  return sessions.reduce((n, s) => n + (s.recordings?.length ?? 0), 0);
}

async function searchBenchmark() {
  // About 500 recordings of every type (terminal, database, HTTP, Kubernetes, S3, Snowflake).
  const sim = await startSimProcess(['--sessions', '560', '--latency', '30']);
  try {
    const recordings = await recordingCount(sim.env);
    const args = ['search', '--regex', 'evil\\.example|DROP TABLE|secrets|GRANT ROLE|AccessDenied', '-C', '1', '-o', 'ndjson'];
    const fast = await best(2, () => b0s(args, sim.env));
    const slow = await best(1, () => b0s([...args, '--concurrency', '1'], sim.env));
    const same = fast.digest === slow.digest && fast.bytes > 0;
    const ratio = slow.ms / fast.ms;
    report(
      `search of ${recordings} recordings, 30 ms latency: default concurrency vs one at a time`,
      ratio,
      '>= 4x faster, identical output',
      ratio >= 4 && same,
      `default ${fast.ms.toFixed(0)} ms, sequential ${slow.ms.toFixed(0)} ms, output ${same ? 'identical' : 'DIFFERENT'} (${(fast.bytes / 1e3).toFixed(0)} kB of matches)`,
    );
  } finally {
    sim.stop();
  }
}

/**
 * Start-up as users feel it: each command against a bare `node -e 0`, the two run one
 * after the other so that both see the same machine, over 21 pairs; the median of the
 * pairs' ratios.
 */
async function startBenchmark() {
  const sim = await startSimProcess();
  try {
    const commands = [
      { args: ['--version'], target: 1.3 },
      { args: ['--help'], target: 1.5 },
      { args: ['list', '--page-size', '25'], target: 2.5 },
    ];
    const pairs = commands.map(() => []);
    for (let round = 0; round < 21; round++) {
      for (const [i, { args }] of commands.entries()) {
        const bare = await bareNode();
        const run = await b0s(args, sim.env);
        pairs[i].push({ bare: bare.ms, ms: run.ms });
      }
    }
    for (const [i, { args, target }] of commands.entries()) {
      const ratio = median(pairs[i].map((p) => p.ms / p.bare));
      report(
        `start-up: b0s ${args.join(' ')} vs a bare node -e 0`,
        ratio,
        `<= ${target}x`,
        ratio <= target,
        `median of 21 pairs: b0s ${median(pairs[i].map((p) => p.ms)).toFixed(0)} ms, node -e 0 ${median(pairs[i].map((p) => p.bare)).toFixed(0)} ms`,
      );
    }
  } finally {
    sim.stop();
  }
}

const benchmarks = { start: startBenchmark, walk: walkBenchmark, memory: memoryBenchmark, table: tableBenchmark, render: renderBenchmark, search: searchBenchmark };
const only = process.argv.slice(2);
for (const [name, benchmark] of Object.entries(benchmarks)) {
  if (only.length === 0 || only.some((prefix) => name.startsWith(prefix))) await benchmark();
}
process.exitCode = results.every(Boolean) ? 0 : 1;
