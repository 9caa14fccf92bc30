// Streams, terminal detection, colour, progress and confirmation. stdout carries only
// the result; everything meant for the human (spinners, hints, warnings, prompts,
// errors) goes to stderr.
import type { ChalkInstance, ColorSupportLevel } from 'chalk';
import type { Env, InStream, OutStream } from './world';
import { CancelledError } from './errors';

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
  readonly out: ChalkInstance;
  readonly err: ChalkInstance;
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
}

export function colorLevel(stream: OutStream, env: Env, noColorFlag: boolean): ColorSupportLevel {
  if (noColorFlag) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return 0;
  if (env.TERM === 'dumb') return 0;
  if (force !== undefined) {
    const n = Number(force);
    return n === 2 || n === 3 ? n : 1;
  }
  if (env.CLICOLOR_FORCE !== undefined && env.CLICOLOR_FORCE !== '' && env.CLICOLOR_FORCE !== '0') return 1;
  if (!stream.isTTY) return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  return env.TERM?.includes('256') ? 2 : 1;
}

const noProgress: Progress = { update() {}, stop() {} };

/** chalk is set up on the first coloured word (~3 ms of a start that --help never needs). */
function lazyChalk(level: ColorSupportLevel): () => ChalkInstance {
  let instance: ChalkInstance | undefined;
  return () => (instance ??= new (require('chalk') as typeof import('chalk')).Chalk({ level }));
}

export function createIO(
  streams: { stdout: OutStream; stderr: OutStream; stdin: InStream },
  env: Env,
  opts: { noColor: boolean },
): IO {
  const { stdout, stderr } = streams;
  const stdoutIsTTY = stdout.isTTY === true;
  const stderrIsTTY = stderr.isTTY === true;
  // stdin is looked at only when needed (a prompt): Node builds process.stdin on first
  // use, and the stream it makes for a pipe or /dev/null costs a tenth of a Node start.
  const stdinIsTTY = () => streams.stdin.isTTY === true;
  const columns = (stdoutIsTTY && stdout.columns) || (stderrIsTTY && stderr.columns) || 80;
  const out = lazyChalk(colorLevel(stdout, env, opts.noColor));
  const err = lazyChalk(colorLevel(stderr, env, opts.noColor));

  return {
    stdout,
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
    get out() {
      return out();
    },
    get err() {
      return err();
    },
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

    note(line) {
      stderr.write(`${line}\n`);
    },

    warn(line) {
      stderr.write(`${err().yellow('warning:')} ${line}\n`);
    },

    async progress(text) {
      // ora spins forever at full CPU when the terminal reports 0 columns.
      if (!stderrIsTTY || !(stderr.columns && stderr.columns > 0)) return noProgress;
      const { default: ora } = await import('ora');
      const spinner = ora({
        text,
        stream: stderr as unknown as NodeJS.WritableStream,
        discardStdin: false,
        isEnabled: true,
        color: err().level > 0 ? 'cyan' : false,
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

    async confirm(question, signal) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: streams.stdin, output: stderr as unknown as NodeJS.WritableStream, terminal: false });
      // Input that ends before an answer (Ctrl-D, a closed pipe) is a "no", not a hang.
      const ended = new Promise<undefined>((resolve) => rl.once('close', () => resolve(undefined)));
      const asked = rl.question(`${question} [y/N] `, { signal });
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
