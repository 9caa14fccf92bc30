// --jq EXPR: a jq filter (jq itself, compiled to WebAssembly and shipped in the jq-web
// package: no binary to download) applied to the whole result as one JSON array, as
// `b0s list -o json | jq -r EXPR` would. An expression of the form `.[] | …` is applied
// page by page as pages arrive (the same output, in the same order, in bounded memory);
// any other needs the whole result first, so it is held in memory.
import type { Session } from '../api/types';
import { B0sError, ExitCode, UsageError } from '../errors';
import type { IO } from '../io';
import type { ListWriter } from './list-writer';
import { multilineText } from '../text';

/** The user's filter failed on the data (jq's own runtime error). Exit 1. */
export class JqError extends B0sError {
  readonly exitCode = ExitCode.failure;
}

interface Jq {
  raw(json: string, filter: string, flags?: string[]): string | undefined;
}

let loaded: Promise<Jq> | undefined;
async function jq(): Promise<Jq> {
  // require, not import(): the module's export is a promise, which an import() namespace
  // would pass for (it is thenable) in some loaders. Loaded on first use only (~90 ms).
  loaded ??= require('jq-web') as Promise<Jq>;
  return loaded;
}

/** jq's message, first line, without what only makes sense for a shell. */
function jqMessage(err: unknown, expression: string): string {
  const text = String((err as { stderr?: unknown }).stderr ?? (err as Error).message ?? err);
  const first = text.split('\n').find((l) => l.startsWith('jq: error')) ?? text.split('\n')[0] ?? '';
  const message = first
    .replace(/^jq: error(: | \(at [^)]*\): )/, '')
    .replace(' (Unix shell quoting issues?)', '')
    .replace(/ at <top-level>, line \d+:$/, '')
    .trim();
  // jq-web's word for jq's "No more inputs" (unless the filter raised "break" itself).
  return message === 'break' && /\binputs?\b/.test(expression) && !/\berror\b/.test(expression)
    ? 'no more inputs (the filter gets the sessions as one array: input and inputs find nothing after it)'
    : message;
}

/** Checks that the expression compiles, before any request: a syntax error is a usage error (exit 2). */
export async function checkJq(expression: string): Promise<void> {
  try {
    // `empty | …` compiles the expression and runs none of it (`|` binds loosest, so it
    // takes the whole expression). Nothing follows it: a syntax error then names what the
    // user wrote, at the line they wrote it on.
    (await jq()).raw('null', `empty | ${expression}`, ['-n']);
  } catch (err) {
    throw new UsageError(`--jq: ${jqMessage(err, expression)}`);
  }
}

/** Filters that read input beyond the one they are given, or stop jq itself, must see the whole array. */
const WHOLE_INPUT = /\b(input|inputs|input_line_number|halt|halt_error|\$__loc__)\b/;
const EACH = /^\s*\.\[\]\??\s*(?:\|([\s\S]*))?$/;

/** `.[] | f` gives, for the whole array, what it gives for each page in turn. */
export function streams(expression: string): boolean {
  const m = EACH.exec(expression);
  return m !== null && !WHOLE_INPUT.test(m[1] ?? '');
}

/** A writer that runs the filter over the sessions and prints jq's output (`jq -r`: strings as they are). */
export function jqWriter(expression: string, io: IO, opts: { onBuffer?: () => void } = {}): ListWriter {
  const streaming = streams(expression);
  const held: Session[] = [];
  let count = 0;
  const run = async (sessions: readonly Session[]) => {
    let out: string | undefined;
    try {
      out = (await jq()).raw(JSON.stringify(sessions), expression, ['-r', '-M']);
    } catch (err) {
      throw new JqError(`--jq: ${jqMessage(err, expression)}`, { cause: err });
    }
    if (out === undefined) return;
    // On a terminal, strings from the server are made inert like every other output.
    await io.write(`${io.stdoutIsTTY ? multilineText(out) : out}\n`);
  };
  return {
    get count() {
      return count;
    },
    async write(batch) {
      count += batch.length;
      if (streaming) {
        if (batch.length) await run(batch);
        return;
      }
      if (held.length === 0 && batch.length) opts.onBuffer?.();
      held.push(...batch);
    },
    async end(opts = { complete: true }) {
      if (!streaming && opts.complete) await run(held);
    },
  };
}
