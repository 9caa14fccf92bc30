// A pager for long terminal output, as git and gh do: $B0S_PAGER, else $PAGER, else
// `less -FRX` (which quits at once when the output fits the screen, passes colour
// through, and leaves the text on screen). Only ever started for a terminal.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Env } from './world';

export interface PagerProcess {
  /** What is written here is what the pager shows. */
  stdin: Writable;
  /** Settles when the pager has exited (the user quit it). */
  exited: Promise<void>;
}

/** The pager to run, or undefined for none: an empty command or `cat` mean none, as in git. */
export function pagerCommand(env: Env): string | undefined {
  const command = (env.B0S_PAGER ?? env.PAGER ?? 'less -FRX').trim();
  if (command === '' || command === 'cat') return undefined;
  // The default only where less is installed: a missing pager must not swallow the output.
  if (env.B0S_PAGER === undefined && env.PAGER === undefined && !onPath('less', env)) return undefined;
  return command;
}

function onPath(name: string, env: Env): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs the pager through the shell (PAGER may hold arguments), its output on the terminal. */
export function spawnPager(command: string, env: Env): PagerProcess {
  // Loaded here, not at start: only a paged run needs it (a tenth of a bare Node start).
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // As git: `less` without -R would show colour codes as text, so LESS=FRX unless set.
  const child = spawn(command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env: { ...env, LESS: env.LESS ?? 'FRX', LV: env.LV ?? '-c' } });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  return { stdin: child.stdin, exited };
}
