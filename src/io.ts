// Streams, terminal detection, colour, progress and confirmation. stdout carries only
// the result; everything meant for the human (spinners, hints, warnings, prompts,
// errors) goes to stderr.
import type { ColorSupportLevel } from 'chalk';
import type { Env, InStream, OutStream } from './world';
import { CancelledError } from './errors';
import type { PagerProcess } from './pager';
import type { ColorMode } from './settings/keys';
import { terminalLine } from './text';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

export interface IO {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: InStream;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** Width to fit tables to: the terminal's, or 80 when it reports none. */
  readonly columns: number;
  /** Colour for each stream, decided once: level 0 when colour is off. */
  readonly out: Paint;
  readonly err: Paint;
  /** Writes to stdout, waiting for the pipe to drain when it is full (or for the stream to fail). */
  write(chunk: string | Uint8Array): Promise<void>;
  /** One line on stderr (a newline is added). */
  note(line: string): void;
  warn(line: string): void;
  /** A spinner on stderr when it is a terminal with a width; a no-op otherwise. */
  progress(text: string): Promise<Progress>;
  /** Asks on stderr, reads a line from stdin; true only for y/yes. */
  confirm(question: string, signal: AbortSignal): Promise<boolean>;
  /** Can we ask the human? Only when both stdin and stderr are terminals. */
  readonly interactive: boolean;
  /**
   * From here on, stdout goes through the pager, when there is one and stdout is a
   * terminal (never when piped, nor with --no-pager). For output that may be long.
   */
  page(): void;
  /** Closes the pager's input and waits for the user to quit it; a no-op without one. */
  endPager(): Promise<void>;
}

export interface PagerOptions {
  start(): PagerProcess;
  /** Where a failure to write to the pager goes (a user who quits early: a quiet stop). */
  onError(err: NodeJS.ErrnoException): void;
}

/**
 * What the environment says about colour, and which variable said it: off with NO_COLOR,
 * FORCE_COLOR=0 or TERM=dumb, on with FORCE_COLOR or CLICOLOR_FORCE; undefined when it
 * says nothing (then a profile's `color`, else a terminal, decides).
 */
export function envColor(env: Env): { value: ColorMode; source: string } | undefined {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return { value: 'never', source: 'NO_COLOR' };
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return { value: 'never', source: 'FORCE_COLOR' };
  if (env.TERM === 'dumb') return { value: 'never', source: 'TERM=dumb' };
  if (force !== undefined) return { value: 'always', source: 'FORCE_COLOR' };
  if (env.CLICOLOR_FORCE !== undefined && env.CLICOLOR_FORCE !== '' && env.CLICOLOR_FORCE !== '0') return { value: 'always', source: 'CLICOLOR_FORCE' };
  return undefined;
}

export function colorLevel(stream: OutStream, env: Env, mode: ColorMode): ColorSupportLevel {
  if (mode === 'never') return 0;
  const forced = Number(env.FORCE_COLOR);
  if (mode === 'always' && (forced === 2 || forced === 3)) return forced;
  if (!stream.isTTY) return mode === 'always' ? 1 : 0;
  if (env.FORCE_COLOR !== undefined || env.CLICOLOR_FORCE) return 1;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  return env.TERM?.includes('256') ? 2 : 1;
}

const noProgress: Progress = { update() {}, stop() {} };

type Style = (text: string) => string;

/** The styles b0s uses: chalk's, or none at level 0. */
export interface Paint {
  readonly level: ColorSupportLevel;
  readonly bold: Style;
  readonly dim: Style;
  readonly red: Style;
  readonly green: Style;
  readonly yellow: Style;
  readonly cyan: Style;
}

const asIs: Style = (text) => text;
const NO_PAINT: Paint = { level: 0, bold: asIs, dim: asIs, red: asIs, green: asIs, yellow: asIs, cyan: asIs };

/**
 * chalk only for a stream that is coloured: a piped run (most of a script's) never loads
 * it, nor the node:tty it brings (together ~5% of a bare Node start).
 */
async function paintFor(level: ColorSupportLevel): Promise<Paint> {
  if (level === 0) return NO_PAINT;
  const { Chalk } = await import('chalk');
  return new Chalk({ level });
}

export async function createIO(
  streams: { stdout: OutStream; stderr: OutStream; stdin: InStream },
  env: Env,
  opts: { color: ColorMode; pager?: PagerOptions },
): Promise<IO> {
  const { stderr } = streams;
  let stdout = streams.stdout;
  let pager: PagerProcess | undefined;
  const stdoutIsTTY = stdout.isTTY === true;
  const stderrIsTTY = stderr.isTTY === true;
  // stdin is looked at only when needed (a prompt): Node builds process.stdin on first
  // use, and the stream it makes for a pipe or /dev/null costs a tenth of a Node start.
  const stdinIsTTY = () => streams.stdin.isTTY === true;
  const columns = (stdoutIsTTY && stdout.columns) || (stderrIsTTY && stderr.columns) || 80;
  const [out, err] = await Promise.all([paintFor(colorLevel(stdout, env, opts.color)), paintFor(colorLevel(stderr, env, opts.color))]);

  return {
    get stdout() {
      return stdout;
    },
    stderr,
    get stdin() {
      return streams.stdin;
    },
    stdoutIsTTY,
    stderrIsTTY,
    get stdinIsTTY() {
      return stdinIsTTY();
    },
    columns,
    out,
    err,
    get interactive() {
      return stderrIsTTY && stdinIsTTY();
    },

    write(chunk) {
      if (stdout.destroyed) return Promise.resolve();
      if (stdout.write(chunk)) return Promise.resolve();
      // A stream that failed (a full disk) never drains: stop waiting on its error too.
      // The error itself is reported through the stream's 'error' listener in cli.ts run().
      return new Promise((resolve) => {
        const done = () => {
          stdout.removeListener('drain', done);
          stdout.removeListener('error', done);
          stdout.removeListener('close', done);
          resolve();
        };
        stdout.once('drain', done);
        stdout.once('error', done);
        stdout.once('close', done);
      });
    },

    // While a pager shows the output, notes (a footer, a warning) go into it too, in
    // order, rather than over it.
    note(line) {
      (pager ? stdout : stderr).write(`${terminalLine(line)}\n`);
    },

    warn(line) {
      (pager ? stdout : stderr).write(`${err.yellow('warning:')} ${terminalLine(line)}\n`);
    },

    async progress(text) {
      // ora spins forever at full CPU when the terminal reports 0 columns; a pager owns the screen.
      if (pager || !stderrIsTTY || !(stderr.columns && stderr.columns > 0)) return noProgress;
      const { default: ora } = await import('ora');
      const spinner = ora({
        text,
        stream: stderr as unknown as NodeJS.WritableStream,
        discardStdin: false,
        isEnabled: true,
        color: err.level > 0 ? 'cyan' : false,
      } as Parameters<typeof ora>[0]).start();
      let drawn = 0;
      return {
        update(t) {
          spinner.text = t;
          // ora redraws on its own timer only; a fast walk would never show its counts.
          if (performance.now() - drawn >= 100) {
            drawn = performance.now();
            spinner.render();
          }
        },
        stop() {
          spinner.stop();
        },
      };
    },

    page() {
      if (pager || !opts.pager || !stdoutIsTTY) return;
      pager = opts.pager.start();
      pager.stdin.on('error', opts.pager.onError);
      stdout = pager.stdin as unknown as OutStream;
    },

    async endPager() {
      if (!pager) return;
      const { stdin: input, exited } = pager;
      if (!input.destroyed) await new Promise<void>((resolve) => input.end(() => resolve()));
      await exited;
    },

    async confirm(question, signal) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: streams.stdin, output: stderr as unknown as NodeJS.WritableStream, terminal: false });
      // Input that ends before an answer (Ctrl-D, a closed pipe) is a "no", not a hang.
      const ended = new Promise<undefined>((resolve) => rl.once('close', () => resolve(undefined)));
      const asked = rl.question(`${terminalLine(question)} [y/N] `, { signal });
      asked.catch(() => {});
      try {
        const answer = await Promise.race([asked, ended]);
        if (signal.aborted) throw new CancelledError('interrupted');
        return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
      } catch (err) {
        if (signal.aborted || (err as { code?: string }).code === 'ABORT_ERR') throw new CancelledError('interrupted');
        return false;
      } finally {
        rl.close();
      }
    },
  };
}
