// b0s-sim: the fake Border0 API as a command, for trying b0s (or any client) without
// an account. Reads process and disk itself: it is an entry point.

import { chmodSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator, type SimOptions, type SimRequest } from './index';
import { FAULT_KINDS, parseFaults } from './faults';
import { PAGINATION_MODES } from './options';
import { LOG_ENCODINGS } from './recordings';
import { parsePageQuirks } from './quirks';

const HELP = `Usage: b0s-sim [options]

A fake Border0 API on this machine, with generated session logs, for trying b0s.

Options:
  --port N                  port to listen on (default 7780; 0 picks a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --sessions N              sessions to generate (default 2500)
  --seed N                  random seed: same seed, same data (default 1)
  --now TIME                generate data relative to TIME (RFC 3339 or ms epoch; default now)
  --latency MS              delay every answer by MS milliseconds (default 0)
  --faults SPEC             inject failures: comma-separated KIND[:RATE][@FROM[-TO]]
                            KIND: ${FAULT_KINDS.join(' ')}
                            RATE: probability 0..1 (default 1)
                            @FROM[-TO]: only on requests FROM..TO (1-based; @5 = 5 onwards)
                            e.g. --faults '429:0.1,reset@3-3,500@10-12'
  --max-page-size N         clamp page_size to N (default 1000)
  --default-page-size N     page size when none is asked for (default 10)
  --last-next-page V        next_page on the last page: zero, null or missing (default zero)
  --arrivals N              N new sessions start before each list request (default 0)
  --live-for S              sessions that arrive end by themselves S seconds after they
                            start (default: they run until killed)
  --age-out N               the N oldest sessions are removed before each list request
                            (after arrivals); removed sessions answer 404 everywhere
  --ties N                  generated sessions share start times in groups of N (default 1)
  --shuffle-ties            each list answer orders sessions sharing a start time its own
                            way (seeded by --seed and the request number); pages are cut
                            from that order
  --total-lag N             total_records/total_pages as they were N list requests earlier
  --page-quirks SPEC        a buggy server's pages: comma-separated rules
                            short:P:K        page P holds only its first K sessions
                            empty:P          page P holds no sessions
                            long:P:K         page P holds K sessions from where it starts
                            ignore-size[:S]  every page holds S sessions whatever page_size
                                             asks (S default: --default-page-size)
                            ignore-page      every answer is page 1
                            same-id          every listed session has the newest one's ID
                            short, empty and long keep the honest page's pagination object
                            e.g. --page-quirks 'short:3:2,empty:5'
  --pagination M            pagination fields: full, no-totals (no total_records or
                            total_pages) or none (no pagination object) (default full)
  --honour-time-filters     apply start_date_after/start_date_before/finished
  --log-encoding E          session_log body (default json-string): json-string (a JSON
                            string of the lines), json (a JSON array), object (a JSON
                            object with the lines in "data"), text, gzip, or gzip-chunks
                            (one gzip member per 30 s or 1 MiB, as Border0's connector
                            uploads terminal recordings)
  --retry-after S           Retry-After seconds on injected 429s (default 1)
  --slow-ms MS              delay of the slow fault (default 5000)
  --token-file PATH         also write the admin token to PATH (mode 0600)
  --verbose                 log every request on stderr
  --quiet                   don't report unhandled routes on stderr
  -h, --help                show this help

Exit status: 0 stopped by SIGINT/SIGTERM, 1 could not start, 2 bad option.
`;

class UsageError extends Error {}

function int(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} wants an integer >= ${min}, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function time(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--now wants an RFC 3339 time or ms epoch, got "${value}"`);
  return ms;
}

function describe(r: SimRequest): string {
  const query = new URLSearchParams(r.query).toString();
  return `b0s-sim: #${r.n} ${r.method} ${r.path}${query ? `?${query}` : ''} -> ${r.status || 'reset'}${r.fault ? ` [fault ${r.fault}]` : ''}${r.auth === 'valid' ? '' : ` [auth ${r.auth}]`}\n`;
}

function parse(argv: string[]): { opts: SimOptions; tokenFile?: string; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      sessions: { type: 'string' },
      seed: { type: 'string' },
      now: { type: 'string' },
      latency: { type: 'string' },
      faults: { type: 'string' },
      'max-page-size': { type: 'string' },
      'default-page-size': { type: 'string' },
      'last-next-page': { type: 'string' },
      arrivals: { type: 'string' },
      'age-out': { type: 'string' },
      'live-for': { type: 'string' },
      ties: { type: 'string' },
      'shuffle-ties': { type: 'boolean' },
      'total-lag': { type: 'string' },
      'page-quirks': { type: 'string' },
      pagination: { type: 'string' },
      'honour-time-filters': { type: 'boolean' },
      'log-encoding': { type: 'string' },
      'retry-after': { type: 'string' },
      'slow-ms': { type: 'string' },
      'token-file': { type: 'string' },
      verbose: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const opts: SimOptions = {
    port: int('port', values.port) ?? 7780,
    host: values.host ?? '127.0.0.1',
    sessions: int('sessions', values.sessions),
    seed: int('seed', values.seed, Number.MIN_SAFE_INTEGER),
    now: time(values.now),
    latencyMs: int('latency', values.latency),
    faults: values.faults,
    maxPageSize: int('max-page-size', values['max-page-size'], 1),
    defaultPageSize: int('default-page-size', values['default-page-size'], 1),
    lastNextPage: oneOf('last-next-page', values['last-next-page'], ['zero', 'null', 'missing'] as const),
    arrivalsPerListRequest: int('arrivals', values.arrivals),
    ageOutPerListRequest: int('age-out', values['age-out']),
    liveForSeconds: int('live-for', values['live-for'], 1),
    tieGroup: int('ties', values.ties, 1),
    shuffleTies: values['shuffle-ties'],
    totalLag: int('total-lag', values['total-lag']),
    pageQuirks: values['page-quirks'],
    pagination: oneOf('pagination', values.pagination, PAGINATION_MODES),
    honourTimeFilters: values['honour-time-filters'] ?? false,
    logEncoding: oneOf('log-encoding', values['log-encoding'], LOG_ENCODINGS),
    retryAfterSeconds: int('retry-after', values['retry-after']),
    slowMs: int('slow-ms', values['slow-ms']),
    quiet: values.quiet ?? false,
  };
  if (opts.port !== undefined && opts.port > 65535) throw new UsageError(`--port wants 0..65535, got ${opts.port}`);
  if (values.verbose) opts.onRequest = (r) => process.stderr.write(describe(r));
  // Drop unset keys so the simulator's defaults apply.
  for (const key of Object.keys(opts) as Array<keyof SimOptions>) if (opts[key] === undefined) delete opts[key];
  return { opts, tokenFile: values['token-file'], help: values.help ?? false };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
    if (parsed.opts.faults !== undefined) parseFaults(parsed.opts.faults);
    if (parsed.opts.pageQuirks !== undefined) parsePageQuirks(parsed.opts.pageQuirks);
  } catch (err) {
    // One line: node's parseArgs spreads some messages over several.
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`b0s-sim: ${message} (see b0s-sim --help)\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const { opts, tokenFile } = parsed;

  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(opts);
  } catch (err) {
    process.stderr.write(`b0s-sim: cannot start on ${opts.host}:${opts.port}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return;
  }
  if (tokenFile !== undefined) {
    try {
      writeFileSync(tokenFile, `${sim.token}\n`, { mode: 0o600 });
      chmodSync(tokenFile, 0o600); // mode only applies when the file is created
    } catch (err) {
      process.stderr.write(`b0s-sim: cannot write token file: ${err instanceof Error ? err.message : String(err)}\n`);
      await sim.close();
      process.exitCode = 1;
      return;
    }
  }

  const lines = [
    `b0s-sim listening on ${sim.url}`,
    `  ${sim.sessionCount().toLocaleString('en-US')} sessions (seed ${opts.seed ?? 1}), faults: ${opts.faults || 'none'}, ` +
      `session_log as ${opts.logEncoding ?? 'json-string'}`,
    'Point b0s at it:',
    `  export BORDER0_API=${sim.url}`,
    tokenFile !== undefined
      ? `  export BORDER0_ADMIN_TOKEN="$(cat '${tokenFile}')"    # or: b0s --token-file '${tokenFile}'`
      : `  export BORDER0_ADMIN_TOKEN=${sim.token}`,
    'Ctrl-C stops it.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Nothing is left to write once the server is closed; idle timers must not hold the exit.
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
