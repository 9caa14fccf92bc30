// `b0s replay --play`: a terminal recording played in the terminal, with its timing.
// The recording's output goes to the terminal through the playback filter
// (play-filter.ts); keys come from stdin in raw mode (keys.ts). Whatever ends playback
// (the end, q, Ctrl-C, a signal, an error), the terminal is put back: the recording's
// modes undone, the alternate screen left, the cursor shown, raw mode off. A second
// stop signal exits at once (signals.ts); the restore runs then too, from the exit hook.

import { CancelledError } from '../errors';
import type { Asciicast } from './asciicast';
import { parseResize } from './asciicast';
import { KeyReader, type Key } from './keys';
import { PlaybackFilter } from './play-filter';

export interface PlayOptions {
  /** How many times faster than recorded. */
  speed: number;
  /** Pauses longer than this many seconds are shortened to it (before --speed applies). */
  idleLimit?: number;
}

/** The terminal the player plays in. */
export interface PlayTerminal {
  columns: number;
  rows: number;
  write(text: string): void;
  /** Raw mode on the input terminal; undefined when input is not a terminal (no keys). */
  setRawMode?: (on: boolean) => void;
  /** Calls `listener` with each chunk typed; returns a function that stops listening. */
  onInput?: (listener: (chunk: string) => void) => () => void;
  /** Runs `restore` if the process exits before playback ends; returns a function that cancels it. */
  onExit(restore: () => void): () => void;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A line on stderr. */
  note(line: string): void;
}

export interface PlayResult {
  /** Where playback stopped, in seconds of the recording (idle pauses shortened). */
  position: number;
  duration: number;
  ended: boolean;
  /** Sequences the filter dropped, by kind. */
  dropped: ReadonlyMap<string, number>;
}

/**
 * When each output event plays, in seconds from the start: the recorded times with every
 * pause longer than `idleLimit` shortened to it. Speed is applied to these by the player.
 */
export function playTimes(times: readonly number[], idleLimit?: number): number[] {
  const out: number[] = [];
  let previous = 0;
  let at = 0;
  for (const t of times) {
    const gap = Math.max(0, t - previous);
    at += idleLimit === undefined ? gap : Math.min(gap, idleLimit);
    out.push(at);
    previous = Math.max(previous, t);
  }
  return out;
}

/** The largest size the recording asks for: its header's, or a resize's. */
export function largestSize(cast: Asciicast): { cols: number; rows: number } {
  let cols = cast.header.width;
  let rows = cast.header.height;
  for (const [, code, data] of cast.events) {
    if (code !== 'r') continue;
    const size = parseResize(data);
    if (size) {
      cols = Math.max(cols, size.cols);
      rows = Math.max(rows, size.rows);
    }
  }
  return { cols, rows };
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Before playing a recording larger than the terminal: Space or Enter plays it, q does
 * not (false). Without keys (input is not a terminal), it plays.
 */
export async function askToPlay(term: PlayTerminal, signal: AbortSignal): Promise<boolean> {
  if (!term.setRawMode || !term.onInput) return true;
  const reader = new KeyReader();
  let stop: (() => void) | undefined;
  term.setRawMode(true);
  const cancelExitHook = term.onExit(() => term.setRawMode?.(false));
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new CancelledError('interrupted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      stop = term.onInput!((chunk) => {
        if (chunk === '\r' || chunk === '\n') return resolve(true);
        for (const key of [...reader.read(chunk), ...reader.flush()]) {
          if (key.name === 'interrupt') return reject(new CancelledError('interrupted'));
          if (key.name === 'quit') return resolve(false);
          if (key.name === 'pause') return resolve(true);
        }
      });
    });
  } finally {
    stop?.();
    term.setRawMode(false);
    cancelExitHook();
  }
}

/** Plays `cast` in `term` until it ends or the user quits; throws CancelledError on Ctrl-C or a stop signal. */
export async function play(cast: Asciicast, term: PlayTerminal, opts: PlayOptions, signal: AbortSignal): Promise<PlayResult> {
  const output = cast.events.filter((e) => e[1] === 'o');
  const at = playTimes(
    output.map((e) => e[0]),
    opts.idleLimit,
  );
  const duration = at.at(-1) ?? 0;
  const size = largestSize(cast);
  const filter = new PlaybackFilter(() => size);

  const reader = new KeyReader();
  const keys: Key[] = [];
  let wake: (() => void) | undefined;
  const interactive = term.setRawMode !== undefined && term.onInput !== undefined;

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    term.write(filter.restore());
    term.setRawMode?.(false);
  };
  const cancelExitHook = term.onExit(restore);
  const stopInput = interactive
    ? term.onInput!((chunk) => {
        keys.push(...reader.read(chunk), ...reader.flush());
        wake?.();
      })
    : undefined;

  /** Waits `ms`, or until a key arrives or the run is stopped; true if woken by a key. */
  const wait = async (ms: number): Promise<boolean> => {
    if (keys.length > 0) return true;
    const woken = new AbortController();
    wake = () => woken.abort();
    const both = AbortSignal.any([woken.signal, signal]);
    try {
      await term.sleep(Math.max(0, ms), both);
    } catch {
      // Woken early: a key, or a stop (checked below).
    } finally {
      wake = undefined;
    }
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError('interrupted');
    return keys.length > 0;
  };

  let index = 0;
  let position = 0;
  let paused = false;
  // While playing: the position is anchorPos plus the time since anchorWall, times speed.
  let anchorWall = term.now();
  let anchorPos = 0;
  const now = () => (paused ? position : Math.min(duration, anchorPos + ((term.now() - anchorWall) / 1000) * opts.speed));

  /** Plays every event up to `target` at once. */
  const playThrough = (target: number) => {
    let chunk = '';
    while (index < output.length && at[index]! <= target) chunk += filter.feed(output[index++]![2]);
    if (chunk !== '') term.write(chunk);
  };

  const seek = (seconds: number) => {
    const from = now();
    const target = Math.min(duration, Math.max(0, from + seconds));
    if (target < from) {
      // The screen cannot be played backwards: start again and play up to the target.
      term.write(filter.reset());
      index = 0;
    }
    playThrough(target);
    position = target;
    anchorPos = target;
    anchorWall = term.now();
  };

  let ended = false;
  try {
    if (interactive) term.setRawMode!(true);
    // A blank screen, what was on it scrolled into the scrollback rather than erased.
    term.write(`\u001b[999;1H${'\n'.repeat(term.rows)}\u001b[H`);
    anchorWall = term.now();
    for (;;) {
      while (keys.length > 0) {
        const key = keys.shift()!;
        if (key.name === 'interrupt') throw new CancelledError('interrupted');
        if (key.name === 'quit') return { position: now(), duration, ended: false, dropped: filter.dropped };
        if (key.name === 'pause') {
          if (paused) {
            paused = false;
            anchorPos = position;
            anchorWall = term.now();
          } else {
            position = now();
            paused = true;
          }
        } else if (key.name === 'step' && paused && index < output.length) {
          position = at[index]!;
          playThrough(position);
        } else if (key.name === 'seek') {
          seek(key.seconds);
        }
      }
      if (!paused && index >= output.length) {
        ended = true;
        return { position: duration, duration, ended, dropped: filter.dropped };
      }
      if (paused) {
        await wait(60_000);
        continue;
      }
      const due = ((at[index]! - now()) / opts.speed) * 1000;
      if (due > 0 && (await wait(due))) continue;
      playThrough(now());
    }
  } finally {
    stopInput?.();
    restore();
    cancelExitHook();
  }
}
