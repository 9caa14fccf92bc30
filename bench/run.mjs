// `npm run bench`: each benchmark compares two runs of the real b0s bin measured in the
// same session (machines here are noisy, so absolute times mean little) and prints the
// ratio against its target. Exit code 1 when a target is missed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { b0sBin, root, startSimProcess } from '../scripts/sim-process.mjs';

/** Runs b0s, hashing stdout as it streams (never holding it), and times it. */
function b0s(args, env, preload = []) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...preload.flatMap((p) => ['-r', path.join(root, 'bench', p)]), b0sBin, ...args], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      if (code !== 0) return reject(new Error(`b0s ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      const rss = /B0S_BENCH_MAX_RSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, bytes, digest: hash.digest('hex'), maxRssKb: rss ? Number(rss[1]) : undefined });
    });
  });
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

await walkBenchmark();
await memoryBenchmark();
await tableBenchmark();
process.exitCode = results.every(Boolean) ? 0 : 1;
