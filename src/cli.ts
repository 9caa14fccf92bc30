// The whole command surface in one place. Each action turns flags into a typed options
// object (bad input is a UsageError before any request) and loads its command module
// only when it runs, so `b0s --help` stays fast and never needs a token.
import { setMaxListeners } from 'node:events';
import { getSystemErrorMap } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { createDeps, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS, type Deps, type GlobalOptions } from './deps';
import { B0sError, CancelledError, ExitCode, NothingFound, OutputError, UsageError } from './errors';
import { createIO, type IO } from './io';
import { inlineText } from './output/sanitize';
import { choice, listOf, positiveInt, timeArg, wholeNumber } from './options';
import { OUTPUT_FORMATS } from './output/formats';
import { SESSION_STATUSES, SESSION_TYPES } from './session';
import { VERSION } from './version';
import type { OutStream, World } from './world';

export const EXIT_CODES_HELP = `
Exit codes:
  0    success (an empty list too)
  1    API, server or network failure, or output or a local file that cannot be written
  2    usage error (bad flag or argument)
  3    authentication (no token, token refused or expired, 401, 403)
  4    not found (socket, session or recording)
  5    partial failure (some of several operations failed)
  129  stopped by SIGHUP (the terminal closed)
  130  interrupted (Ctrl-C) or cancelled at a prompt
  143  stopped by SIGTERM (timeout, systemd, Kubernetes, CI)`;

const ENV_HELP = `

Environment:
  BORDER0_ADMIN_TOKEN   the admin token itself (else ~/.border0/token, written by \`border0 login\`)
  BORDER0_API           API base URL (default https://api.border0.com/api/v1)
  B0S_RETRIES           retries of a failed request (default ${DEFAULT_RETRIES})
  B0S_TIMEOUT           seconds each request may take, whole response included (default ${DEFAULT_TIMEOUT_SECONDS})
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS, NO_COLOR, FORCE_COLOR`;

/** stdout's reader went away (`b0s list | head`): stop quietly, exit 0. */
class BrokenPipe extends Error {}

const MAX_PAGE = 1_000_000;
const MAX_PAGE_SIZE = 1000;
const MAX_LIMIT = 100_000_000;
const MAX_CONCURRENCY = 32;

export async function run(world: World): Promise<number> {
  const controller = new AbortController();
  // Requests, retry waits and prompts in flight listen here: with up to --concurrency of
  // them that is over Node's default of 10, which prints a MaxListenersExceededWarning.
  setMaxListeners(SIGNAL_LISTENERS, controller.signal);
  const onInterrupt = () => controller.abort(world.signal.reason instanceof CancelledError ? world.signal.reason : new CancelledError('interrupted'));
  if (world.signal.aborted) onInterrupt();
  world.signal.addEventListener('abort', onInterrupt, { once: true });
  const onStdoutError = (err: NodeJS.ErrnoException) => controller.abort(stdoutFailure(err));
  world.stdout.on('error', onStdoutError);

  let io: IO = createIO(world, world.env, { noColor: false });
  let deps: (Deps & { close(): Promise<void> }) | undefined;
  let debug = world.argv.includes('--debug');
  const session = (command: Command): Deps => {
    const globals = globalOptions(command, world);
    debug = globals.debug;
    io = createIO(world, world.env, { noColor: !globals.color });
    deps = createDeps(world, io, globals, controller.signal);
    return deps;
  };

  let failure: { err: unknown } | undefined;
  try {
    await buildProgram(world, session).parseAsync([...world.argv], { from: 'user' });
  } catch (err) {
    failure = { err };
  }
  try {
    // The last bytes may still fail (a full disk): that is a failed run, not a success.
    if (!controller.signal.aborted) await flushed(world.stdout);
    const reason: unknown = controller.signal.reason;
    if (reason instanceof BrokenPipe || reason instanceof CancelledError || reason instanceof OutputError) return report(reason, io, debug);
    return failure ? report(failure.err, io, debug) : ExitCode.ok;
  } finally {
    world.signal.removeEventListener('abort', onInterrupt);
    world.stdout.removeListener('error', onStdoutError);
    await deps?.close();
  }
}

/** Requests in flight (at most --concurrency), each with a retry wait and a limiter wait, and a prompt. */
const SIGNAL_LISTENERS = 3 * MAX_CONCURRENCY + 8;

/** A closed reader (`b0s list | head`) is a quiet stop; any other failure to write is an error. */
function stdoutFailure(err: NodeJS.ErrnoException): Error {
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return new BrokenPipe();
  const described = typeof err.errno === 'number' ? getSystemErrorMap().get(err.errno)?.[1] : undefined;
  return new OutputError(`cannot write the output: ${described ?? err.message}`, { cause: err });
}

/** Resolves once everything written so far has gone out, or failed. */
function flushed(out: OutStream): Promise<void> {
  if (out.destroyed) return Promise.resolve();
  return new Promise((resolve) => out.write('', () => resolve()));
}

/** The one place errors become a line on stderr and an exit code. */
function report(err: unknown, io: IO, debug: boolean): number {
  if (err instanceof BrokenPipe) return ExitCode.ok;
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return ExitCode.ok;
    // `b0s` with no command: commander has already printed the help, to stderr.
    if (err.code === 'commander.help') return ExitCode.usage;
    io.stderr.write(`${io.err.red('b0s:')} ${oneLine(err.message.replace(/^error: /, ''))} (see --help)\n`);
    return ExitCode.usage;
  }
  if (err instanceof NothingFound) return err.exitCode;
  if (err instanceof B0sError) {
    io.stderr.write(`${io.err.red('b0s:')} ${oneLine(err.message)}\n`);
    if (debug) io.stderr.write(`${stackOf(err)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`${io.err.red('b0s:')} unexpected error: ${oneLine(message)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug) io.stderr.write(`${stackOf(err)}\n`);
  return ExitCode.failure;
}

/** Messages often quote what the user typed or the server sent: one line, and inert. */
function oneLine(text: string): string {
  return inlineText(text.replace(/\s*\n\s*/g, ' ').trim());
}

function stackOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.stack ?? String(e));
  return parts.join('\ncaused by: ');
}

function globalOptions(command: Command, world: World): GlobalOptions {
  const o = command.optsWithGlobals<{ apiUrl?: string; tokenFile?: string; color: boolean; debug?: boolean; retries?: number; timeout?: number }>();
  const retries = o.retries ?? envNumber(world, 'B0S_RETRIES', retriesArg) ?? DEFAULT_RETRIES;
  const timeoutMs = o.timeout ?? envNumber(world, 'B0S_TIMEOUT', timeoutArg) ?? DEFAULT_TIMEOUT_SECONDS * 1000;
  return { apiUrl: o.apiUrl, tokenFile: o.tokenFile, color: o.color, debug: o.debug === true, retries, timeoutMs };
}

const retriesArg = wholeNumber('--retries', 0, 20);
/** Seconds, possibly with a fraction, as whole milliseconds (at least 1): undici's timers take integers only. */
const timeoutArg = (v: string) => {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new UsageError(`--timeout must be a number of seconds above 0 and at most 3600, got "${v}"`);
  }
  return Math.max(1, Math.round(n * 1000));
};

function envNumber(world: World, name: string, parse: (v: string) => number): number | undefined {
  const value = world.env[name];
  if (value === undefined || value === '') return undefined;
  try {
    return parse(value);
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message.replace(/^--\w+ /, '')}`);
  }
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n${EXIT_CODES_HELP}`;
}

export function buildProgram(world: World, session: (command: Command) => Deps): Command {
  const now = () => world.now();
  const program = new Command('b0s')
    .description('Border0 session logs from the terminal and from scripts: list, show, replay and kill sessions.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--api-url <url>', 'API base URL (else BORDER0_API, else https://api.border0.com/api/v1)')
    .option('--token-file <path>', 'read the admin token from this file (else BORDER0_ADMIN_TOKEN, else ~/.border0/token)')
    .option('--no-color', 'no colour (also NO_COLOR=1, FORCE_COLOR=0, TERM=dumb)')
    .option('--retries <n>', `retries of a failed request (default ${DEFAULT_RETRIES}, or B0S_RETRIES)`, retriesArg)
    .option('--timeout <seconds>', `seconds each request may take, its whole response included (default ${DEFAULT_TIMEOUT_SECONDS}, or B0S_TIMEOUT)`, timeoutArg)
    .option('--debug', 'trace each request on stderr (the token is never shown) and show stack traces')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void world.stdout.write(s),
      writeErr: (s) => void world.stderr.write(s),
      // Errors are printed once, by report(), as one line.
      outputError: () => {},
    })
    .addHelpText('after', `${examples(['b0s list', 'b0s list --all --since 24h -o ndjson > sessions.ndjson', 'b0s show e1f3464d', 'b0s replay e1f3464d', 'b0s kill <socket_id> <session_id>'])}${ENV_HELP}`);

  const output = (formats: readonly string[]) =>
    new Option('-o, --output <format>', `output format: ${formats.join(', ')} (default table)`).argParser(choice('--output', formats));

  program
    .command('list')
    .description('List sessions, newest first (one page, or every page with --all)')
    .option('--page <n>', 'page number, from 1 (default 1)', positiveInt('--page', MAX_PAGE))
    .option('--page-size <n>', 'sessions per page (default 100; the server may cap it)', positiveInt('--page-size', MAX_PAGE_SIZE))
    .option('--all', 'every page, each session once, in order')
    .option('--limit <n>', 'stop after n sessions (walks as many pages as needed)', positiveInt('--limit', MAX_LIMIT))
    .option('--socket <name>', 'only sessions of this socket (repeat or comma-separate for several)', listOf('--socket'))
    .option('--user <email>', 'only sessions of this user (repeat or comma-separate for several)', listOf('--user'))
    .addOption(new Option('--result <result>', 'only successful or only denied sessions').argParser(choice('--result', ['success', 'denied'] as const)))
    .option('--status <status>', `only sessions in this state: ${SESSION_STATUSES.join(', ')} (repeat or comma-separate)`, listOf('--status', SESSION_STATUSES))
    .option('--type <type>', `only sessions of this type: ${SESSION_TYPES.join(', ')}, ... (repeat or comma-separate)`, listOf('--type'))
    .option('--since <time>', 'sessions started at or after: RFC 3339 or a span back (90m, 24h, 7d)', timeArg('--since', now))
    .option('--until <time>', 'sessions started at or before: RFC 3339, a date (that whole day, UTC) or a span back', timeArg('--until', now, 'end'))
    .option('--concurrency <n>', 'pages fetched at once by --all / --limit / --since (default 8)', positiveInt('--concurrency', MAX_CONCURRENCY))
    .addOption(output(OUTPUT_FORMATS))
    .option('--json', 'same as -o json')
    .option('--wide', 'on a terminal: every column at full width (the terminal wraps), full IDs, NAME and SERVER')
    .addHelpText(
      'after',
      examples([
        'b0s list --status live                     # who is connected right now',
        'b0s list                                   # page 1, 100 newest sessions',
        'b0s list --page 2 --page-size 50',
        'b0s list --all -o ndjson > all.ndjson      # every session, once, streamed',
        'b0s list --since 24h --socket prod-ssh --result denied',
        'b0s list --user alice@example.com,bob@example.com --limit 500 -o csv',
        "b0s list -o json | jq -r '.[] | select(.killed) | .session_id'",
      ]),
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const { listOptions, runList } = await import('./commands/list');
      const opts = listOptions(raw);
      await runList(opts, session(command));
    });

  const target = (c: Command) =>
    c.argument('<socket_id>', 'socket ID; or socket_id/session_id; or a session ID or its short form alone').argument('[session_id]', 'session ID');

  target(program.command('show'))
    .description('Show every field of one session')
    .addOption(output(['table', 'json']))
    .option('--json', 'same as -o json: the session object exactly as the API sent it')
    .addHelpText('after', examples(['b0s show <socket_id> <session_id>', 'b0s show <socket_id>/<session_id> -o json', 'b0s show e1f3464d                  # the short ID the list table shows']))
    .action(async (first: string, second: string | undefined, raw: Record<string, unknown>, command: Command) => {
      const { showOptions, runShow } = await import('./commands/show');
      await runShow(showOptions(first, second, raw), session(command));
    });

  target(program.command('replay'))
    .description('What happened in a session: the terminal text, query or request log; or play it in the terminal (--play)')
    .option('--recording <id>', 'only this recording (default: all, in order)')
    .addOption(
      new Option('--format <format>', 'text (readable dump), asciicast (for asciinema play), json (parsed events or records) or raw (exactly as the API sent it)')
        .argParser(choice('--format', ['text', 'asciicast', 'json', 'raw'] as const)),
    )
    .option('--cast-version <n>', 'with --format asciicast: 2 (default, plays everywhere) or 3 (asciinema 3)')
    .option('--timestamps', 'text dump: put the wall-clock time (UTC) before each command line')
    .option('--timestamps-all', 'text dump: put the time before every line')
    .option('--play', 'play a terminal recording in this terminal, with its timing (Space pauses, . steps, ← → seek, q quits)')
    .option('--speed <x>', 'with --play: play x times faster (default 1; 0.5 is half speed)')
    .option('--idle-limit <seconds>', 'with --play: shorten pauses longer than this (applied before --speed)')
    .option('-O, --output-file <file>', 'write to this file instead of stdout')
    .option('--force', 'overwrite the -O file if it exists')
    .addHelpText(
      'after',
      examples([
        'b0s replay <socket_id> <session_id>',
        'b0s replay e1f3464d --timestamps                  # when each command ran',
        'b0s replay e1f3464d --play --speed 2 --idle-limit 1',
        'b0s replay e1f3464d --recording <recording_id>',
        'b0s replay e1f3464d --format asciicast -O session.cast && asciinema play session.cast',
        'b0s replay e1f3464d --format asciicast --cast-version 3 -O session.cast',
        "b0s replay e1f3464d --format json | jq '.[0].events | length'",
        'b0s replay e1f3464d --format raw -O recording.raw',
      ]),
    )
    .action(async (first: string, second: string | undefined, raw: Record<string, unknown>, command: Command) => {
      const { replayOptions, runReplay } = await import('./commands/replay');
      await runReplay(replayOptions(first, second, raw), session(command));
    });

  program
    .command('search')
    .argument('<pattern>', 'text to look for (a regular expression with --regex)')
    .description('Find sessions whose recordings show a pattern: the screen text (also text hidden by overwriting), database queries and results, request logs')
    .option('--regex', 'the pattern is a regular expression, in RE2 syntax (linear time: no backreferences or lookaround)')
    .option('-i, --ignore-case', 'ignore case')
    .option('-C, --context <n>', 'show n lines before and after each match', wholeNumber('--context', 0, 50))
    .option('--socket <name>', 'only sessions of this socket (repeat or comma-separate for several)', listOf('--socket'))
    .option('--user <email>', 'only sessions of this user (repeat or comma-separate for several)', listOf('--user'))
    .addOption(new Option('--result <result>', 'only successful or only denied sessions').argParser(choice('--result', ['success', 'denied'] as const)))
    .option('--status <status>', `only sessions in this state: ${SESSION_STATUSES.join(', ')} (repeat or comma-separate)`, listOf('--status', SESSION_STATUSES))
    .option('--type <type>', `only sessions of this type: ${SESSION_TYPES.join(', ')}, ... (repeat or comma-separate)`, listOf('--type'))
    .option('--since <time>', 'sessions started at or after: RFC 3339 or a span back (90m, 24h, 7d)', timeArg('--since', now))
    .option('--until <time>', 'sessions started at or before: RFC 3339, a date (that whole day, UTC) or a span back', timeArg('--until', now, 'end'))
    .option('--limit <n>', 'search at most the n newest matching sessions that have recordings', positiveInt('--limit', MAX_LIMIT))
    .option('--concurrency <n>', 'recordings downloaded and searched at once (default 8)', positiveInt('--concurrency', MAX_CONCURRENCY))
    .addOption(new Option('-o, --output <format>', 'output format: text, ndjson or json (default text)').argParser(choice('--output', ['text', 'ndjson', 'json'] as const)))
    .option('--json', 'same as -o json')
    .addHelpText(
      'after',
      `\nExamples:\n${[
        "b0s search 'DROP TABLE' --since 7d",
        "b0s search --regex 'curl .*\\| *(ba)?sh' -i --since 7d",
        'b0s search systemctl -C 1 --socket prod-ssh --user alice@example.com --since 4d',
        'b0s search evil.example --since 2d -o ndjson | jq -r .session_id | sort -u',
      ]
        .map((l) => `  ${l}`)
        .join('\n')}\n\nExit codes:\n  0    something matched\n  1    nothing matched (or an API, server or network failure: then stderr says so)\n  2    usage error, such as an invalid regular expression\n  3    authentication\n  5    some recordings could not be searched (each is named on stderr)\n  130  interrupted (Ctrl-C)`,
    )
    .action(async (pattern: string, raw: Record<string, unknown>, command: Command) => {
      const { searchOptions, runSearch } = await import('./commands/search');
      const opts = await searchOptions(pattern, raw);
      await runSearch(opts, session(command));
    });

  program
    .command('kill')
    .argument('<session...>', 'one or more <socket_id>/<session_id>, session IDs or short IDs; or <socket_id> <session_id>')
    .description('End live sessions (asks first on a terminal)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addOption(output(['table', 'json']))
    .option('--json', 'same as -o json: print the session object(s) the API returned')
    .addHelpText(
      'after',
      examples([
        'b0s kill <socket_id> <session_id>',
        'b0s kill <socket_id>/<session_id> --yes',
        'b0s kill e1f3464d -o json',
        'b0s kill <socket_id>/<session_id> <socket_id>/<session_id>   # several: exit 5 if only some could be killed',
        "jq -r '.[].session_id' matches.json | xargs b0s kill --yes     # session IDs alone",
      ]),
    )
    .action(async (args: string[], raw: Record<string, unknown>, command: Command) => {
      const { killOptions, runKill } = await import('./commands/kill');
      await runKill(killOptions(args, raw), session(command));
    });

  return program;
}
