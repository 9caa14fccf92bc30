// The whole command surface in one place. Each action turns flags into a typed options
// object (bad input is a UsageError before any request) and loads its command module
// only when it runs, so `b0s --help` stays fast and never needs a token.
import { setMaxListeners } from 'node:events';
import { getSystemErrorMap } from 'node:util';
import { Command, CommanderError, Help, Option } from 'commander';
import type { Deps, GlobalOptions } from './deps';
import { B0sError, CancelledError, ExitCode, NothingFound, OutputError, UsageError } from './errors';
import { createIO, envColor, type IO } from './io';
import { pagerCommand } from './pager';
import { inlineText, multilineText } from './text';
import { choice, listOf, nonEmpty, positiveInt, timeArg, wholeNumber } from './options';
import { OUTPUT_FORMATS } from './output/formats';
import { SESSION_STATUSES, SESSION_TYPES } from './session';
import { commandDefaults } from './settings/defaults';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS, MAX_CONCURRENCY, MAX_PAGE_SIZE, parseTimeoutSeconds, SETTING_KEYS } from './settings/keys';
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
  B0S_PROFILE           settings profile (see b0s config); B0S_OUTPUT, B0S_PAGE_SIZE, B0S_CONCURRENCY, B0S_TIME_ZONE
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS, NO_COLOR, FORCE_COLOR`;

/** stdout's reader went away (`b0s list | head`): stop quietly, exit 0. */
class BrokenPipe extends Error {}

const MAX_PAGE = 1_000_000;
const MAX_LIMIT = 100_000_000;
const MAX_INTERVAL = 86_400;

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

  let io: IO = await createIO(world, world.env, { color: envColor(world.env)?.value ?? 'auto' });
  let deps: (Deps & { close(): Promise<void> }) | undefined;
  let debug = world.argv.includes('--debug');
  const session = async (command: Command, opts?: SessionOptions): Promise<Deps> => {
    const globals = await globalOptions(command, world, opts);
    debug = globals.debug;
    const pager = globals.pager && world.spawnPager ? pagerCommand(world.env) : undefined;
    io = await createIO(world, world.env, {
      color: globals.settings.color.value,
      pager: pager === undefined ? undefined : { start: () => (world.spawnPager as NonNullable<World['spawnPager']>)(pager, world.env), onError: onStdoutError },
    });
    const { createDeps } = await import('./deps');
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
    // Errors are reported after the pager is closed, not under it.
    await io.endPager();
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
    if (debug) io.stderr.write(`${multilineText(stackOf(err))}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`${io.err.red('b0s:')} unexpected error: ${oneLine(message)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug) io.stderr.write(`${multilineText(stackOf(err))}\n`);
  return ExitCode.failure;
}

/**
 * Messages quote what the user typed or the server sent, raw: here they become one inert
 * line, of a length a terminal can show. A huge value is cut in its middle: a message
 * starts with what was wrong and ends with what to do.
 */
function oneLine(text: string): string {
  const line = inlineText(text.replace(/\s*\n\s*/g, ' ').trim());
  if (line.length <= MAX_MESSAGE) return line;
  // Never between the two halves of a character outside the BMP (an emoji).
  const cut = (at: number) => (/[\uD800-\uDBFF]/.test(line[at - 1] ?? '') ? at - 1 : at);
  const headEnd = cut(MAX_MESSAGE / 2);
  const tailStart = cut(line.length - MAX_MESSAGE / 4);
  return `${line.slice(0, headEnd)} … (${(tailStart - headEnd).toLocaleString('en-US')} characters left out) … ${line.slice(tailStart)}`;
}

const MAX_MESSAGE = 2000;

function stackOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.stack ?? String(e));
  return parts.join('\ncaused by: ');
}

/** `allowNewProfile`: `config set` may name a profile that does not exist yet. */
interface SessionOptions {
  allowNewProfile?: boolean;
}

async function globalOptions(command: Command, world: World, opts: SessionOptions = {}): Promise<GlobalOptions> {
  // The settings file is read only by a command that runs, never for --help.
  const { resolveSettings } = await import('./settings');
  const o = command.optsWithGlobals<{ apiUrl?: string; tokenFile?: string; color: boolean; pager: boolean; debug?: boolean; retries?: number; timeout?: number; profile?: string }>();
  const settings = resolveSettings({
    flags: { apiUrl: o.apiUrl, tokenFile: o.tokenFile, noColor: o.color === false, retries: o.retries, timeoutSeconds: o.timeout, profile: o.profile },
    env: world.env,
    configDir: world.configDir,
    homedir: world.homedir,
    platform: world.platform,
  }, opts);
  return { settings, debug: o.debug === true, pager: o.pager !== false };
}

const retriesArg = wholeNumber('--retries', 0, 20);
/** Seconds, possibly with a fraction (used rounded to milliseconds). */
const timeoutArg = (v: string) => parseTimeoutSeconds('--timeout', v);

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n${EXIT_CODES_HELP}`;
}

export function buildProgram(world: World, session: (command: Command, opts?: SessionOptions) => Promise<Deps>): Command {
  const now = () => world.now();
  const program = new Command('b0s')
    .description('Border0 session logs from the terminal and from scripts: list, show, replay and kill sessions, and export them to a SIEM.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--api-url <url>', 'API base URL (else BORDER0_API, else https://api.border0.com/api/v1)')
    .option('--token-file <path>', "read the admin token from this file (else BORDER0_ADMIN_TOKEN, else the profile's token-file, else ~/.border0/token)", nonEmpty('--token-file', 'a file name'))
    .option('--profile <name>', 'settings profile to use (else B0S_PROFILE, else default); see b0s config')
    .option('--no-color', 'no colour (also NO_COLOR=1, FORCE_COLOR=0, TERM=dumb)')
    .option('--no-pager', 'do not page long terminal output (else B0S_PAGER, PAGER, or less -FRX)')
    .option('--retries <n>', `retries of a failed request (default ${DEFAULT_RETRIES}, or B0S_RETRIES)`, retriesArg)
    .option('--timeout <seconds>', `seconds each request may take, its whole response included (default ${DEFAULT_TIMEOUT_SECONDS}, or B0S_TIMEOUT)`, timeoutArg)
    .option('--debug', 'say which profile, API URL and token source are used, trace each request on stderr (the token is never shown), show stack traces')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void world.stdout.write(s),
      writeErr: (s) => void world.stderr.write(s),
      // Asked of the World's streams, not process.stdout (which Node would build for it).
      getOutHelpWidth: () => (world.stdout.isTTY && world.stdout.columns) || 80,
      getErrHelpWidth: () => (world.stderr.isTTY && world.stderr.columns) || 80,
      // The help has no colours of its own.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      // Errors are printed once, by report(), as one line.
      outputError: () => {},
    })
    .addHelpText('after', `${examples(['b0s list', 'b0s list --all --since 24h -o ndjson > sessions.ndjson', 'b0s show e1f3464d', 'b0s replay e1f3464d', 'b0s kill <socket_id> <session_id>'])}${ENV_HELP}`);

  // A command's options, help text and action are added only when it runs or its help is
  // shown: defining the ~150 options of every command took most of the time `b0s --help`
  // or a one-page list spent before doing anything.
  const pending = new Map<Command, () => void>();
  const later = (command: Command, define: (command: Command) => void): void => void pending.set(command, () => define(command));
  const defineNow = (command: Command): void => {
    const define = pending.get(command);
    pending.delete(command);
    define?.();
  };
  program.hook('preSubcommand', (_program, command) => defineNow(command));
  program.configureHelp({
    // `b0s help list` shows the help of list without running it (no hook): it is defined
    // here, before its help (and the examples it adds after it) are written.
    formatHelp(command, helper) {
      defineNow(command);
      return Help.prototype.formatHelp.call(this, command, helper);
    },
    // The root help lists the commands; one not defined yet has its options all the same.
    subcommandTerm(command) {
      const term = Help.prototype.subcommandTerm.call(this, command);
      return pending.has(command) ? term.replace(/^\S+/, '$& [options]') : term;
    },
  });

  // The filters of list, which search takes too: the same flags in the same words.
  const withListFilters = (command: Command) =>
    command
      .option('--socket <name>', 'only sessions of this socket (repeat or comma-separate for several)', listOf('--socket'))
      .option('--user <email>', 'only sessions of this user (repeat or comma-separate for several)', listOf('--user'))
      .addOption(new Option('--result <result>', 'only successful or only denied sessions').argParser(choice('--result', ['success', 'denied'] as const)))
      .option('--status <status>', `only sessions in this state: ${SESSION_STATUSES.join(', ')} (repeat or comma-separate)`, listOf('--status', SESSION_STATUSES))
      .option('--type <type>', `only sessions of this type: ${SESSION_TYPES.join(', ')}, ... (repeat or comma-separate)`, listOf('--type'))
      .option('--since <time>', 'sessions started at or after: RFC 3339 or a span back (90m, 24h, 7d)', timeArg('--since', now))
      .option('--until <time>', 'sessions started at or before: RFC 3339, a date (that whole day, UTC) or a span back', timeArg('--until', now, 'end'));

  const output = (formats: readonly string[]) =>
    new Option('-o, --output <format>', `output format: ${formats.join(', ')} (default table)`).argParser(choice('--output', formats));

  later(program.command('list').description('List sessions, newest first (one page, or every page with --all)'), (cmd) =>
    withListFilters(
      cmd
        .option('--page <n>', 'page number, from 1 (default 1)', positiveInt('--page', MAX_PAGE))
        .option('--page-size <n>', 'sessions per page (default 100; the server may cap it)', positiveInt('--page-size', MAX_PAGE_SIZE))
        .option('--all', 'every page, each session once, in order')
        .option('--limit <n>', 'stop after n sessions (walks as many pages as needed)', positiveInt('--limit', MAX_LIMIT)),
    )
      .option('--concurrency <n>', 'pages fetched at once by --all / --limit / --since (default 8)', positiveInt('--concurrency', MAX_CONCURRENCY))
      .addOption(output(OUTPUT_FORMATS))
      .option('--json', 'same as -o json')
      .option('--wide', 'on a terminal: every column at full width (the terminal wraps), full IDs, NAME and SERVER')
      .option('--columns <names>', 'only these columns, in this order, for the table or -o csv (comma-separated; an unknown name lists the valid ones)', listOf('--columns'))
      .option('--jq <expression>', 'filter the result (one JSON array of every session) with jq and print its output, strings raw (as jq -r)')
      .option('--follow', 'keep running: print sessions as they start, end and are killed (table on a terminal, NDJSON events when piped); from --since, default the last hour')
      .option('--interval <seconds>', 'with --follow: seconds between two reads (default 10)', positiveInt('--interval', MAX_INTERVAL))
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
          'b0s list --columns started,user,status,id',
          'b0s list --all -o csv --columns session_id,user_email,client_ip > sessions.csv',
          "b0s list --all --jq '.[] | select(.killed) | .session_id'   # streams page by page",
          "b0s list --since 7d --jq 'group_by(.user_email) | map({user: .[0].user_email, n: length})'",
          'b0s list --follow                          # sessions as they start, end and are killed',
        ]),
      )
      .action(async (raw: Record<string, unknown>, command: Command) => {
        const { listOptions, runList } = await import('./commands/list');
        const deps = await session(command);
        await runList(listOptions(raw, commandDefaults(deps.settings, OUTPUT_FORMATS), world.now()), deps);
      }),
  );

  const target = (c: Command) =>
    c.argument('<socket_id>', 'socket ID; or socket_id/session_id; or a session ID or its short form alone').argument('[session_id]', 'session ID');

  later(target(program.command('show')).description('Show every field of one session'), (cmd) =>
    cmd
      .addOption(output(['table', 'json']))
      .option('--json', 'same as -o json: the session object exactly as the API sent it')
      .addHelpText('after', examples(['b0s show <socket_id> <session_id>', 'b0s show <socket_id>/<session_id> -o json', 'b0s show e1f3464d                  # the short ID the list table shows']))
      .action(async (first: string, second: string | undefined, raw: Record<string, unknown>, command: Command) => {
        const { showOptions, runShow } = await import('./commands/show');
        const deps = await session(command);
        await runShow(showOptions(first, second, raw, commandDefaults(deps.settings, ['table', 'json']).output), deps);
      }),
  );

  later(target(program.command('replay')).description('What happened in a session: the terminal text, query or request log; or play it in the terminal (--play)'), (cmd) =>
    cmd
      .option('--recording <id>', 'only this recording (default: all, in order)')
      .addOption(
        new Option('--format <format>', 'text (readable dump), asciicast (for asciinema play), json (parsed events or records) or raw (exactly as the API sent it)')
          .argParser(choice('--format', ['text', 'asciicast', 'json', 'raw'] as const)),
      )
      .addOption(new Option('--cast-version <n>', 'with --format asciicast: 2 (default, plays everywhere) or 3 (asciinema 3)').argParser(choice('--cast-version', ['2', '3'] as const)))
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
        await runReplay(replayOptions(first, second, raw), await session(command));
      }),
  );

  later(program.command('search').argument('<pattern>', 'text to look for (a regular expression with --regex)').description('Find sessions whose recordings show a pattern: the screen text (also text hidden by overwriting), database queries and results, request logs'), (cmd) =>
    withListFilters(
      cmd
        .option('--regex', 'the pattern is a regular expression, in RE2 syntax (linear time: no backreferences or lookaround)')
        .option('-i, --ignore-case', 'ignore case')
        .option('-C, --context <n>', 'show n lines before and after each match', wholeNumber('--context', 0, 50)),
    )
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
        const deps = await session(command);
        await runSearch(await searchOptions(pattern, raw, commandDefaults(deps.settings, ['json', 'ndjson'])), deps);
      }),
  );

  later(program.command('kill').argument('[session...]', 'one or more <socket_id>/<session_id>, session IDs or short IDs; or <socket_id> <session_id>').description('End live sessions: named ones (asks first on a terminal), those read with --stdin, or those matching filters'), (cmd) =>
    cmd
      .option('-y, --yes', 'do not ask for confirmation (needed by --stdin and by filters without a terminal)')
      .option('--stdin', 'read sessions from stdin: b0s list -o ndjson lines, "<socket_id> <session_id>" or "<socket_id>/<session_id>"')
      .option('--socket <name>', 'kill the live sessions of this socket (repeat or comma-separate)', listOf('--socket'))
      .option('--user <email>', 'kill the live sessions of this user (repeat or comma-separate)', listOf('--user'))
      .option('--type <type>', `kill the live sessions of this type: ${SESSION_TYPES.join(', ')}, ... (repeat or comma-separate)`, listOf('--type'))
      .option('--since <time>', 'only sessions started at or after: RFC 3339 or a span back (90m, 24h, 7d)', timeArg('--since', now))
      .option('--until <time>', 'only sessions started at or before: RFC 3339, a date or a span back', timeArg('--until', now, 'end'))
      .option('--status <status>', 'live (implied: only live sessions can be killed)', listOf('--status', SESSION_STATUSES))
      .addOption(new Option('--result <result>', 'success (implied)').argParser(choice('--result', ['success', 'denied'] as const)))
      .option('--dry-run', 'print the live sessions that would be killed (as b0s list does), kill nothing')
      .option('--max <n>', 'stop before killing anything when more than n live sessions would be (default 20 for --stdin and filters)', positiveInt('--max', 100_000))
      .option('--concurrency <n>', 'kills sent at once with --stdin and filters (default 8)', positiveInt('--concurrency', MAX_CONCURRENCY))
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
          'b0s kill --user mallory@example.net --dry-run                  # every live session of a user: the plan',
          'b0s kill --user mallory@example.net --yes',
          'b0s list --status live --socket prod-ssh -o ndjson | b0s kill --stdin --yes --max 50',
        ]),
      )
      .action(async (args: string[], raw: Record<string, unknown>, command: Command) => {
        const { killOptions, runKill } = await import('./commands/kill');
        const deps = await session(command);
        await runKill(killOptions(args, raw, commandDefaults(deps.settings, ['table', 'json'])), deps);
      }),
  );

  later(program.command('stats').argument('<kind>', 'users, sockets, locations (session counts) or activity (sessions per hour or day)', choice('kind', ['users', 'sockets', 'locations', 'activity'] as const)).description('Session counts per user, socket or location, or sessions over time: a bar chart on a terminal'), (cmd) =>
    cmd
      .option('--socket <name>', 'only sessions of this socket (repeat or comma-separate)', listOf('--socket'))
      .option('--user <email>', 'only sessions of this user (repeat or comma-separate)', listOf('--user'))
      .addOption(new Option('--result <result>', 'only successful or only denied sessions').argParser(choice('--result', ['success', 'denied'] as const)))
      .option('--status <status>', `only sessions in this state: ${SESSION_STATUSES.join(', ')} (counted from the walk)`, listOf('--status', SESSION_STATUSES))
      .option('--type <type>', 'only sessions of this type (counted from the walk)', listOf('--type'))
      .option('--since <time>', 'sessions started at or after (activity: default a day before --until)', timeArg('--since', now))
      .option('--until <time>', 'sessions started at or before', timeArg('--until', now, 'end'))
      .addOption(new Option('--by <unit>', 'activity: one bar per hour or per day (default hour up to 2 days, else day)').argParser(choice('--by', ['hour', 'day'] as const)))
      .option('--top <n>', 'only the n largest', positiveInt('--top', 1_000_000))
      .addOption(new Option('-o, --output <format>', 'output format: chart, table, json, csv (default chart on a terminal, else table)').argParser(choice('--output', ['chart', 'table', 'json', 'csv'] as const)))
      .option('--json', 'same as -o json: the API\'s own rows')
      .addHelpText(
        'after',
        examples([
          'b0s stats users                            # who has the most sessions',
          'b0s stats sockets --result denied --top 10',
          'b0s stats locations -o csv > locations.csv',
          'b0s stats activity --since 7d              # sessions per day: spot the spike',
          'b0s stats activity --since 6h --user mallory@example.net',
        ]),
      )
      .action(async (kind: 'users' | 'sockets' | 'locations' | 'activity', raw: Record<string, unknown>, command: Command) => {
        const { statsOptions, runStats } = await import('./commands/stats');
        const deps = await session(command);
        const opts = statsOptions(kind, raw, { now: world.now(), timeZone: deps.settings['time-zone'].value, defaults: commandDefaults(deps.settings, ['table', 'json', 'csv']) });
        await runStats(opts, deps);
      }),
  );

  program
    .command('auth')
    .description('Authentication: `b0s auth status`')
    .command('status')
    .description('Which API and token b0s uses and where each came from, what the token says, and whether the API accepts it')
    .addOption(output(['table', 'json']))
    .option('--json', 'same as -o json')
    .addHelpText('after', examples(['b0s auth status', 'b0s --profile eu auth status', 'b0s auth status -o json | jq .expires_at']))
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const { authStatusOptions, runAuthStatus } = await import('./commands/auth');
      const deps = await session(command);
      await runAuthStatus(authStatusOptions(raw, commandDefaults(deps.settings, ['table', 'json']).output), deps);
    });

  const config = program
    .command('config')
    .description('Settings and profiles: each value with where it came from (flag > environment > profile > default)')
    .addHelpText('after', `\nSettings: ${SETTING_KEYS.join(', ')}\n${examples(['b0s config list', 'b0s config set page-size 50', 'b0s config set --profile eu api-url https://eu.example.com/api/v1', 'b0s --profile eu list', 'b0s config get output', 'b0s config unset page-size'])}`);
  config
    .command('list')
    .description('Every setting, its value and its source (the token is never shown)')
    .addOption(output(['table', 'json']))
    .option('--json', 'same as -o json')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const { configListOptions, runConfigList } = await import('./commands/config');
      const deps = await session(command);
      await runConfigList(configListOptions(raw, commandDefaults(deps.settings, ['table', 'json']).output), deps);
    });
  config
    .command('get')
    .argument('<key>', `one of ${SETTING_KEYS.join(', ')}`)
    .description('Print the value in effect for one setting')
    .action(async (key: string, _raw: unknown, command: Command) => {
      const { configKey, runConfigGet } = await import('./commands/config');
      const k = configKey(key);
      await runConfigGet(k, await session(command));
    });
  config
    .command('set')
    .argument('<key>', `one of ${SETTING_KEYS.join(', ')}`)
    .argument('<value>', 'the value (checked before it is saved)')
    .description('Save a setting in the profile (--profile, B0S_PROFILE, else default), creating it if needed')
    .action(async (key: string, value: string, _raw: unknown, command: Command) => {
      const { configSetOptions, runConfigSet } = await import('./commands/config');
      const opts = configSetOptions(key, value);
      await runConfigSet(opts, await session(command, { allowNewProfile: true }));
    });
  config
    .command('unset')
    .argument('<key>', `one of ${SETTING_KEYS.join(', ')}`)
    .description('Remove a setting from the profile (its default applies again)')
    .action(async (key: string, _raw: unknown, command: Command) => {
      const { configKey, runConfigUnset } = await import('./commands/config');
      const k = configKey(key);
      await runConfigUnset(k, await session(command));
    });

  program
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish', choice('shell', ['bash', 'zsh', 'fish'] as const))
    .description('Print a shell completion script: commands, flags, their values, and recent sockets, users and session IDs')
    .addHelpText(
      'after',
      examples([
        'source <(b0s completion bash)                       # in ~/.bashrc',
        'source <(b0s completion zsh)                        # in ~/.zshrc, after compinit',
        'b0s completion fish > ~/.config/fish/completions/b0s.fish',
      ]),
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish', _raw: unknown, command: Command) => {
      const { completionScript } = await import('./completion/scripts');
      await (await session(command)).io.write(completionScript(shell));
    });

  // What the completion scripts call on each TAB: never shown in help.
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const { runComplete } = await import('./completion/run');
      // Completion offers every command's flags.
      for (const command of [...pending.keys()]) defineNow(command);
      await runComplete(program, words, world);
    });

  later(program.command('export').description('Session events (started, ended, killed) since the last run, for a SIEM: NDJSON to stdout, a file or syslog'), (cmd) =>
    cmd
      .option('--checkpoint <file>', 'where the export remembers how far it got (default: export-checkpoint.json in the state folder)')
      .option('--reset', 'ignore the checkpoint and start over from --since (the checkpoint is replaced once the run succeeds)')
      .option('--out <file>', 'append the events to this file (created if missing; never truncated) instead of stdout')
      .option('--syslog <url>', 'send each event as an RFC 5424 message to tcp://HOST:PORT, tls://HOST:PORT or udp://HOST:PORT')
      .addOption(new Option('--format <format>', 'native (b0s events), ecs (Elastic Common Schema) or ocsf').argParser(choice('--format', ['native', 'ecs', 'ocsf'] as const)).default('native'))
      .option('--with-recordings', "embed each ended session's recordings (text, and log lines as objects) in its session.ended event")
      .option('--follow', 'keep running: export new events every --interval, moving the checkpoint on as it goes')
      .option('--interval <seconds>', 'with --follow: seconds between two passes (default 30)', positiveInt('--interval', MAX_INTERVAL))
      .option('--socket <name>', 'only sessions of this socket (repeat or comma-separate for several)', listOf('--socket'))
      .option('--user <email>', 'only sessions of this user (repeat or comma-separate for several)', listOf('--user'))
      .addOption(new Option('--result <result>', 'only successful or only denied sessions').argParser(choice('--result', ['success', 'denied'] as const)))
      .option('--status <status>', `only sessions in this state when read: ${SESSION_STATUSES.join(', ')} (repeat or comma-separate)`, listOf('--status', SESSION_STATUSES))
      .option('--type <type>', `only sessions of this type: ${SESSION_TYPES.join(', ')}, ... (repeat or comma-separate)`, listOf('--type'))
      .option('--since <time>', 'the first run starts here: RFC 3339 or a span back (default 24h); later runs start where the last one ended', timeArg('--since', now))
      // Accepted only to say why it does not apply (commander would just call it unknown).
      .addOption(new Option('--until <time>').hideHelp().argParser(timeArg('--until', now, 'end')))
      .option('--page-size <n>', 'sessions per page (default 100)', positiveInt('--page-size', MAX_PAGE_SIZE))
      .option('--concurrency <n>', 'requests at once (default 8)', positiveInt('--concurrency', MAX_CONCURRENCY))
      .addHelpText(
        'after',
        examples([
          'b0s export --out /var/log/b0s/sessions.ndjson          # from cron: each run appends what is new',
          'b0s export --format ecs --out sessions.ecs.ndjson',
          'b0s export --syslog tls://siem.example.com:6514 --format ocsf',
          'b0s export --follow --interval 60 --out sessions.ndjson   # as a service',
          'b0s export --with-recordings --status ended,killed | jq .recordings',
          'b0s export --reset --since 7d > week.ndjson',
        ]),
      )
      .action(async (raw: Record<string, unknown>, command: Command) => {
        const { exportOptions, runExport } = await import('./commands/export');
        const deps = await session(command);
        await runExport(exportOptions(raw, now(), commandDefaults(deps.settings, [])), deps);
      }),
  );

  return program;
}
