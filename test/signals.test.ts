// What a stop signal does to the process, on a stand-in for `process` (the real bin is
// tested with real signals in process.test.ts).
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleStopSignals } from '../src/signals';
import type { StopSignal } from '../src/errors';

function fakeProcess() {
  const proc = Object.assign(new EventEmitter(), { exit: vi.fn<(code: number) => void>() });
  const stops: StopSignal[] = [];
  handleStopSignals(proc, (s) => stops.push(s), 2000);
  return { proc, stops };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('stop signals', () => {
  it('the first aborts the run and waits; a second exits at once with the first one\'s code', () => {
    vi.useFakeTimers();
    const { proc, stops } = fakeProcess();
    proc.emit('SIGTERM');
    expect(stops).toEqual(['SIGTERM']);
    expect(proc.exit).not.toHaveBeenCalled();
    proc.emit('SIGINT');
    expect(proc.exit).toHaveBeenCalledWith(143);
    expect(stops).toEqual(['SIGTERM']);
  });

  it('a run that cannot wind down is ended after the grace period, with the signal\'s code', () => {
    vi.useFakeTimers();
    const { proc } = fakeProcess();
    proc.emit('SIGHUP');
    vi.advanceTimersByTime(1999);
    expect(proc.exit).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(proc.exit).toHaveBeenCalledWith(129);
  });

  it('a handler a dependency adds later is removed, so it cannot re-send the signal or keep b0s alive', async () => {
    vi.useFakeTimers();
    const { proc, stops } = fakeProcess();
    // What conf's when-exit does: handle once, then send the same signal again.
    const resend = vi.fn(() => proc.emit('SIGTERM'));
    proc.once('SIGTERM', resend);
    proc.on('SIGHUP', () => {});
    await Promise.resolve();
    expect(proc.listeners('SIGTERM')).toHaveLength(1);
    expect(proc.listeners('SIGHUP')).toHaveLength(1);
    proc.emit('SIGTERM');
    expect(resend).not.toHaveBeenCalled();
    expect(stops).toEqual(['SIGTERM']);
    expect(proc.exit).not.toHaveBeenCalled();
    // Other events are left alone.
    proc.on('exit', () => {});
    await Promise.resolve();
    expect(proc.listeners('exit')).toHaveLength(1);
  });
});
