// The real bin in a real process: what a shell user sees with pipes and Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers/sim';
import { parseNdjson } from './helpers/parse';
import { recordOutput } from './helpers/world';

const BIN = path.join(__dirname, '..', 'bin', 'b0s');
const { sim, env } = useSimulator({ sessions: 5000 });

interface Child {
  code: Promise<number | null>;
  stdout: Buffer[];
  stderr: Buffer[];
  proc: ReturnType<typeof spawn>;
}

function start(args: string[], extraEnv: Record<string, string> = {}): Child {
  if (!existsSync(path.join(__dirname, '..', 'dist', 'b0s.cjs'))) throw new Error('dist/b0s.cjs is missing: run `npm run build` (npm test does)');
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = { proc, stdout: [], stderr: [], code: new Promise((resolve) => proc.on('close', (c, signal) => resolve(c ?? (signal ? 128 : null)))) };
  proc.stdout?.on('data', (d: Buffer) => child.stdout.push(d));
  proc.stderr?.on('data', (d: Buffer) => child.stderr.push(d));
  void child.code.then(() => recordOutput(Buffer.concat(child.stdout), Buffer.concat(child.stderr)));
  return child;
}

describe('the b0s bin', () => {
  it('--help and --version need no token and exit 0', async () => {
    const help = start(['--help'], { BORDER0_ADMIN_TOKEN: '' });
    expect(await help.code).toBe(0);
    expect(Buffer.concat(help.stdout).toString()).toContain('Exit codes:');
    const version = start(['--version']);
    expect(await version.code).toBe(0);
    expect(Buffer.concat(version.stdout).toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('`| head -n 1`: one line, exit 0, nothing on stderr, and the walk stops', async () => {
    sim().setOptions({ latencyMs: 15 });
    sim().resetRequests();
    try {
      const child = start(['list', '--all', '-o', 'ndjson', '--concurrency', '2']);
      // Read the first line, then close the pipe the way `head` does.
      const first = await new Promise<string>((resolve) => {
        let text = '';
        child.proc.stdout?.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) {
            child.proc.stdout?.destroy();
            resolve(text.slice(0, text.indexOf('\n')));
          }
        });
      });
      expect(JSON.parse(first).session_id).toBeTypeOf('string');
      expect(await child.code).toBe(0);
      expect(Buffer.concat(child.stderr).toString()).toBe('');
      // 50 pages would be needed for everything; it stopped after a handful.
      expect(sim().requests.length).toBeLessThan(15);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });

  it('Ctrl-C: exit 130, and stdout holds only complete NDJSON lines', async () => {
    sim().setOptions({ latencyMs: 15 });
    try {
      const child = start(['list', '--all', '-o', 'ndjson', '--concurrency', '2']);
      await new Promise<void>((resolve) => child.proc.stdout?.once('data', () => resolve()));
      child.proc.kill('SIGINT');
      expect(await child.code).toBe(130);
      const out = Buffer.concat(child.stdout).toString();
      const sessions = parseNdjson(out);
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.length).toBeLessThan(5000);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });
});
