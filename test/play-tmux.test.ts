// replay --play through a real pseudo-terminal: the bin runs in a tmux pane, keys are
// typed with send-keys and the screen read with capture-pane. Waits poll the screen,
// bounded only by the test timeout; nothing asserts how long anything took.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server';
import { useTempDir } from './helpers/tmp';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const BIN = path.join(__dirname, '..', 'bin', 'b0s');
const E = '\u001b';
const SOCKET = '0b6e8f2e-2f36-4a0c-9c1e-5d1f3e7a9b10';
const TOKEN = 'tmux-play-token';
const tmp = useTempDir();

/** A recording that hides the cursor, switches to the alternate screen and retitles the window, then ticks once a second. */
function ticks(n: number): string {
  const events: Array<[number, string]> = [[0.1, `${E}]0;pwned\u0007${E}[?1049h${E}[?25l${E}[H${E}[2J`]];
  for (let i = 1; i <= n; i++) events.push([i, `tick ${i}\r\n`]);
  return [JSON.stringify({ version: 2, width: 60, height: 20, timestamp: 1795168800 }), ...events.map(([t, d]) => JSON.stringify([t, 'o', d]))].join('\n');
}

describe.skipIf(!hasTmux)('b0s replay --play in a real terminal (tmux)', () => {
  let server: TestServer;
  const bodies = new Map<string, string>();
  beforeAll(async () => {
    server = await startServer();
    server.handle((req, res) => {
      const session = /\/session\/[^/]+\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
      if (req.url?.includes('/session_log')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(bodies.get(session) ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ session_id: session, socket_id: SOCKET, start_time: '2026-11-20T10:00:00Z', recordings: [{ recording_id: 'r1', recording_type: 'asciinema', start_time: '2026-11-20T10:00:00Z' }] }),
      );
    });
  });
  afterAll(() => server.close());

  let n = 0;
  /** Runs b0s in a fresh tmux server; the pane reports its exit code and the terminal's modes after it. */
  function pane(recording: string, args: string[]) {
    const dir = tmp('tmux');
    const session = `a0000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    bodies.set(session, recording);
    const script = path.join(dir, 'run.sh');
    writeFileSync(
      script,
      [
        `export BORDER0_API=${server.url} BORDER0_ADMIN_TOKEN=${TOKEN} HOME=${dir} NO_COLOR=1`,
        `'${process.execPath}' '${BIN}' replay ${SOCKET} ${session} --play ${args.join(' ')}`,
        'echo "EXIT=$?"',
        `stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo`,
        'echo DONE',
        'exec sleep 600',
      ].join('\n'),
    );
    const sock = path.join(dir, 'sock');
    const tmux = (...a: string[]) => execFileSync('tmux', ['-S', sock, ...a], { encoding: 'utf8' });
    tmux('new-session', '-d', '-x', '100', '-y', '30', `sh ${script}`);
    const screen = () => tmux('capture-pane', '-p', '-t', '0');
    return {
      tmux,
      screen,
      keys: (...k: string[]) => tmux('send-keys', '-t', '0', ...k),
      flags: () => tmux('display', '-p', '-t', '0', '#{alternate_on} #{cursor_flag} #{pane_title}').trim(),
      async until(pred: (text: string) => boolean): Promise<string> {
        for (;;) {
          const text = screen();
          if (pred(text)) return text;
          await delay(25);
        }
      },
      close: () => spawnSync('tmux', ['-S', sock, 'kill-server']),
    };
  }

  const shown = (text: string) => [...text.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));

  it('plays at --speed in order, and leaves the terminal as it found it', async () => {
    const p = pane(ticks(6), ['--speed', '2']);
    try {
      const seen = new Set<string>();
      let text = '';
      do {
        text = p.screen();
        const ticksShown = shown(text);
        // Always a prefix: tick k never shows before tick k-1.
        expect(ticksShown).toEqual(ticksShown.map((_, i) => i + 1));
        seen.add(ticksShown.join(','));
        await delay(25);
      } while (!/^DONE$/m.test(text));
      expect(text).toMatch(/^EXIT=0$/m);
      // Ticks came one after another, not all at once.
      expect([...seen].filter((s) => s !== '' && s !== '1,2,3,4,5,6').length).toBeGreaterThan(2);
      expect(text).toMatch(/^icanon echo *$/m);
      expect(text).toContain('Played to the end (0:06). Held back from your terminal: OSC ×1.');
      // Alternate screen left, cursor shown, the title never changed.
      expect(p.flags()).not.toContain('pwned');
      expect(p.flags().split(' ').slice(0, 2)).toEqual(['0', '1']);
    } finally {
      p.close();
    }
  });

  it('Space pauses (capital A-D typed meanwhile do not seek), . steps, q quits and puts the terminal back', async () => {
    const p = pane(ticks(60), []);
    try {
      await p.until((t) => shown(t).includes(2));
      p.keys('Space');
      const paused = shown(await p.until((t) => shown(t).length >= 2)).at(-1)!;
      p.keys('A', 'B', 'C', 'D');
      // Three seconds of the recording would have ticked three times.
      await delay(3000);
      expect(shown(p.screen()).at(-1)).toBe(paused);
      expect(p.flags().split(' ').slice(0, 2)).toEqual(['1', '0']);
      p.keys('.');
      await p.until((t) => shown(t).includes(paused + 1));
      expect(shown(p.screen()).at(-1)).toBe(paused + 1);
      p.keys('q');
      const text = await p.until((t) => /^DONE$/m.test(t));
      expect(text).toMatch(/^EXIT=0$/m);
      expect(text).toMatch(/^icanon echo *$/m);
      expect(text).toContain(`Stopped at 0:${String(paused + 1).padStart(2, '0')} of 1:00.`);
      expect(p.flags().split(' ').slice(0, 2)).toEqual(['0', '1']);
    } finally {
      p.close();
    }
  });

  it('Ctrl-C is exit 130 and SIGTERM exit 143, the terminal put back after each', async () => {
    const ctrlC = pane(ticks(60), ['--speed', '5']);
    try {
      await ctrlC.until((t) => shown(t).includes(1));
      ctrlC.keys('C-c');
      const text = await ctrlC.until((t) => /^DONE$/m.test(t));
      expect(text).toMatch(/^EXIT=130$/m);
      expect(text).toMatch(/^icanon echo *$/m);
      expect(ctrlC.flags().split(' ').slice(0, 2)).toEqual(['0', '1']);
    } finally {
      ctrlC.close();
    }

    const term = pane(ticks(60), ['--speed', '5']);
    try {
      await term.until((t) => shown(t).includes(1));
      // The pane runs sh, which runs node: stop node alone, by its process ID.
      const shell = term.tmux('display', '-p', '-t', '0', '#{pane_pid}').trim();
      const node = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]!;
      process.kill(Number(node), 'SIGTERM');
      const text = await term.until((t) => /^DONE$/m.test(t));
      expect(text).toMatch(/^EXIT=143$/m);
      expect(text).toMatch(/^icanon echo *$/m);
      expect(term.flags().split(' ').slice(0, 2)).toEqual(['0', '1']);
    } finally {
      term.close();
    }
  });
});
