// The World's view of the processes on this machine, on node:os and node:process.
// main.ts uses it; tests use it too, so export's lock judges a lock holder the same way.
import { hostname } from 'node:os';
import type { HostProcess } from './world';

/** This process (tests may give another `pid`: a run that seems to be another process). */
export function nodeHost(pid = process.pid): HostProcess {
  return { pid, hostname: hostname(), isRunning };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
