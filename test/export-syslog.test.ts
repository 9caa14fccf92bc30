// --syslog against a real rsyslog on 127.0.0.1 (TCP, TLS and UDP inputs), started and
// stopped by this file: every event arrives as an RFC 5424 message that rsyslog parses,
// with the event's JSON as its MSG, and the checkpoint moves on only when the send worked.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors';
import type { ExportEvent } from '../src/export/events';
import { sortedIds, truth, withSim } from './helpers/export';
import { startRsyslog, type Received, type Rsyslog } from './helpers/rsyslog';
import { SIM_NOW } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s, recordOutput } from './helpers/world';

const tmp = useTempDir();
const SINCE = SIM_NOW - 24 * 3_600_000;
const since = new Date(SINCE).toISOString();
let rsyslog: Rsyslog;

beforeAll(async () => {
  rsyslog = await startRsyslog(tmp('rsyslog'));
});
afterAll(async () => {
  await rsyslog?.stop();
});

/** The messages that arrived since `from`, each checked as b0s's RFC 5424 message. */
function checked(messages: Received[], pid: number): Array<Record<string, unknown>> {
  return messages.map((m) => {
    const doc = JSON.parse(m.msg) as Record<string, unknown>;
    // native: event; ECS: b0s.event; OCSF: unmapped.b0s.event.
    const event = typeof doc.event === 'string' ? doc.event : ((doc.b0s ?? (doc.unmapped as { b0s: unknown }).b0s) as { event: string }).event;
    expect(m).toMatchObject({ version: '1', hostname: os.hostname(), appName: 'b0s', procId: String(pid), msgId: event });
    const session = ((doc.b0s ?? (doc.unmapped as { b0s?: unknown } | undefined)?.b0s ?? doc) as ExportEvent).session;
    // Facility auth (4): notice (5) for kills and denials, info (6) for the rest.
    expect(m.pri).toBe(event === 'session.killed' || session.result === 'denied' ? 37 : 38);
    if (typeof doc.event_time === 'string') expect(Date.parse(m.timestamp)).toBe(Date.parse(doc.event_time));
    return doc;
  });
}

describe('--syslog to a real rsyslog', () => {
  it('tcp://: every event arrives as one octet-counted RFC 5424 message; a rerun sends nothing', async () => {
    await withSim({}, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      const before = rsyslog.received().length;
      const r = await b0s(['export', '--syslog', `tcp://127.0.0.1:${rsyslog.tcpPort}`, '--checkpoint', cp, '--since', since], { env, now: SIM_NOW });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
      const expected = truth(sim, SINCE);
      const got = checked((await rsyslog.waitFor(before + expected.size)).slice(before), process.pid) as unknown as ExportEvent[];
      expect(sortedIds(got.map((e) => e.event_id))).toEqual(sortedIds(expected.keys()));
      for (const e of got) expect(e.session).toEqual(expected.get(e.event_id)?.session);

      sim.addSessions(1);
      const again = await b0s(['export', '--syslog', `tcp://127.0.0.1:${rsyslog.tcpPort}`, '--checkpoint', cp], { env, now: SIM_NOW });
      expect(again.code).toBe(0);
      const next = checked((await rsyslog.waitFor(before + expected.size + 1)).slice(before + expected.size), process.pid) as unknown as ExportEvent[];
      expect(next.map((e) => e.event)).toEqual(['session.started']);
    });
  });

  it('udp://: events arrive as datagrams (nothing can confirm it: see the README)', async () => {
    await withSim({}, async (sim, env) => {
      const before = rsyslog.received().length;
      const args = ['export', '--syslog', `udp://127.0.0.1:${rsyslog.udpPort}`, '--checkpoint', path.join(tmp('cp'), 'u.json'), '--since', since, '--socket', 'prod-ssh', '--format', 'ecs'];
      const r = await b0s(args, { env, now: SIM_NOW });
      expect([r.code, r.stderr]).toEqual([0, '']);
      const expected = truth(sim, SINCE, (s) => s.socket_name === 'prod-ssh');
      const docs = checked((await rsyslog.waitFor(before + expected.size)).slice(before), process.pid);
      expect(sortedIds(docs.map((d) => (d.event as { id: string }).id))).toEqual(sortedIds(expected.keys()));
    });
  });

  it('tls://: verified against NODE_EXTRA_CA_CERTS, events arrive (the real bin, in OCSF)', async () => {
    await withSim({}, async (sim, env) => {
      const before = rsyslog.received().length;
      const cp = path.join(tmp('cp'), 't.json');
      const bin = path.join(__dirname, '..', 'bin', 'b0s');
      if (!existsSync(path.join(__dirname, '..', 'dist', 'b0s.cjs'))) throw new Error('dist/b0s.cjs is missing: run `npm run build` (npm test does)');
      const child = spawn(process.execPath, [bin, 'export', '--syslog', `tls://127.0.0.1:${rsyslog.tlsPort}`, '--format', 'ocsf', '--checkpoint', cp, '--since', since], {
        env: { PATH: process.env.PATH ?? '', HOME: tmp('home'), TMPDIR: os.tmpdir(), NODE_EXTRA_CA_CERTS: path.join(__dirname, 'fixtures', 'tls', 'cert.pem'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      child.stderr.on('data', (d: Buffer) => chunks.push(d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      recordOutput(Buffer.concat(chunks));
      expect([code, Buffer.concat(chunks).toString()]).toEqual([0, '']);
      const expected = truth(sim, SINCE);
      const docs = checked((await rsyslog.waitFor(before + expected.size)).slice(before), child.pid as number);
      expect(sortedIds(docs.map((d) => (d.metadata as { uid: string }).uid))).toEqual(sortedIds(expected.keys()));
      expect(new Set(docs.map((d) => d.class_uid))).toEqual(new Set([4001, 4007]));
    });
  });

  it('tls:// to a certificate it does not trust: exit 1, nothing sent, no checkpoint', async () => {
    await withSim({ sessions: 20 }, async (_sim, env) => {
      const cp = path.join(tmp('cp'), 'x.json');
      const before = rsyslog.received().length;
      const r = await b0s(['export', '--syslog', `tls://127.0.0.1:${rsyslog.tlsPort}`, '--checkpoint', cp, '--since', since], { env, now: SIM_NOW });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^b0s: syslog receiver tls://127\\.0\\.0\\.1:${rsyslog.tlsPort}: its TLS certificate is not trusted \\([A-Z_]+\\); add its CA with NODE_EXTRA_CA_CERTS\\n$`));
      expect(existsSync(cp)).toBe(false);
      expect(rsyslog.received().length).toBe(before);
    });
  });
});

describe('--syslog when the receiver fails', () => {
  it('nobody listening: exit 1 before anything is read, no checkpoint', async () => {
    await withSim({ sessions: 20 }, async (sim, env) => {
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const cp = path.join(tmp('cp'), 'c.json');
      const r = await b0s(['export', '--syslog', `tcp://127.0.0.1:${port}`, '--checkpoint', cp], { env, now: SIM_NOW });
      expect([r.code, r.stderr]).toEqual([1, `b0s: syslog receiver tcp://127.0.0.1:${port}: connection refused (is it listening there?)\n`]);
      expect(existsSync(cp)).toBe(false);
      expect(sim.requests).toEqual([]);
    });
  });

  it('a receiver that drops the connection mid-way: exit 1 and the checkpoint stays where it was', async () => {
    await withSim({}, async (_sim, env) => {
      let bytes = 0;
      const server = net.createServer((socket) => {
        socket.on('data', (d: Buffer) => {
          bytes += d.length;
          socket.resetAndDestroy();
        });
        socket.on('error', () => {});
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const cp = path.join(tmp('cp'), 'd.json');
        const r = await b0s(['export', '--syslog', `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, '--checkpoint', cp, '--since', since], { env, now: SIM_NOW });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^b0s: syslog receiver tcp:\/\/127\.0\.0\.1:\d+: (the receiver reset the connection|the receiver closed the connection)/);
        expect(bytes).toBeGreaterThan(0);
        expect(existsSync(cp)).toBe(false);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  });

  it('--follow: a connection the receiver drops is said on stderr and the pass is sent again on a new one', async () => {
    await withSim({}, async (sim, env) => {
      // A receiver that resets its first connection and reads the others to the end.
      const messages: string[] = [];
      let connections = 0;
      const server = net.createServer((socket) => {
        const n = ++connections;
        let buffer = Buffer.alloc(0);
        socket.on('data', (d: Buffer) => {
          if (n === 1) return socket.resetAndDestroy();
          buffer = Buffer.concat([buffer, d]);
          // RFC 6587 octet counting: LEN SP MSG.
          for (;;) {
            const space = buffer.indexOf(0x20);
            if (space < 0) break;
            const len = Number(buffer.subarray(0, space).toString());
            if (buffer.length < space + 1 + len) break;
            messages.push(buffer.subarray(space + 1, space + 1 + len).toString());
            buffer = buffer.subarray(space + 1 + len);
          }
        });
        socket.on('end', () => socket.end());
        socket.on('error', () => {});
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const stop = new AbortController();
      try {
        const port = (server.address() as net.AddressInfo).port;
        const running = b0s(['export', '--follow', '--interval', '10', '--syslog', `tcp://127.0.0.1:${port}`, '--checkpoint', path.join(tmp('cp'), 'f.json'), '--since', since], {
          env,
          now: SIM_NOW,
          signal: stop.signal,
        });
        const expected = truth(sim, SINCE);
        const ids = () => new Set(messages.map((m) => (JSON.parse(m.slice(m.indexOf(' - ') + 3)) as ExportEvent).event_id));
        while (ids().size < expected.size) await new Promise((r) => setTimeout(r, 10));
        const [arrival] = sim.addSessions(1);
        while (!messages.some((m) => m.includes(arrival?.session_id ?? '?'))) await new Promise((r) => setTimeout(r, 10));
        stop.abort(new CancelledError('interrupted'));
        const r = await running;
        expect(r.code).toBe(130);
        expect(r.stderr).toMatch(new RegExp(`^b0s: syslog receiver tcp://127\\.0\\.0\\.1:${port}: the receiver (reset|closed) the connection.*; trying again in 10 s\n`));
        expect(sortedIds(ids())).toEqual(sortedIds(truth(sim, SINCE).keys()));
        expect(connections).toBeGreaterThanOrEqual(3);
      } finally {
        stop.abort(new CancelledError('interrupted'));
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  });
});
