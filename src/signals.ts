// What SIGINT (Ctrl-C), SIGTERM (timeout, systemd, Kubernetes, CI) and SIGHUP (the
// terminal went away) do to a run: the first one aborts it, so output already written
// stays valid (a closed JSON array, whole lines) and the exit code says which signal it
// was; if the run cannot finish within a grace period (stdout is a pipe nobody reads),
// b0s exits anyway; a second signal exits at once.
import { STOP_SIGNALS, type StopSignal } from './errors';

/** The part of `process` this needs, so it can be tested with a plain EventEmitter. */
export type SignalTarget = Pick<NodeJS.EventEmitter, 'on' | 'listeners' | 'removeListener'> & { exit(code: number): void };

export const GRACE_MS = 2000;

export function handleStopSignals(proc: SignalTarget, stop: (signal: StopSignal) => void, graceMs = GRACE_MS): void {
  let stopping: StopSignal | undefined;
  const signals = Object.keys(STOP_SIGNALS) as StopSignal[];
  const ours = new Map<StopSignal, () => void>();
  for (const signal of signals) {
    const onSignal = () => {
      if (stopping) return proc.exit(STOP_SIGNALS[stopping]);
      stopping = signal;
      stop(signal);
      // Unref'd: a run that finishes in time exits on its own, with the same code.
      setTimeout(() => proc.exit(STOP_SIGNALS[signal]), graceMs).unref();
    };
    ours.set(signal, onSignal);
    proc.on(signal, onSignal);
  }
  // Dependencies loaded later add their own handlers: conf's atomically (when-exit)
  // re-sends the signal to the process, which would count as a second one and cut the
  // output short; ora's restore-cursor (signal-exit) would kill b0s if it were alone.
  // b0s alone decides what a stop signal does. Their clean-up still runs: both also
  // hook the process's 'exit', which every way out of b0s goes through.
  proc.on('newListener', (event: string) => {
    const onSignal = ours.get(event as StopSignal);
    if (!onSignal) return;
    // 'newListener' comes before the listener is added.
    queueMicrotask(() => {
      for (const l of proc.listeners(event)) if (l !== onSignal) proc.removeListener(event, l as () => void);
    });
  });
}
