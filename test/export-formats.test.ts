// --format ecs and --format ocsf, parsed back and checked field by field against the
// native events of the same sessions; and --with-recordings against `b0s replay`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import type { ExportEvent } from '../src/export/events';
import { MAX_EMBEDDED_RECORDS } from '../src/export/recordings';
import { exportEvents, withSim } from './helpers/export';
import { parseNdjson } from './helpers/parse';
import { ENV_TOKEN } from './helpers/secrets';
import { startServer } from './helpers/server';
import { SIM_NOW } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s } from './helpers/world';

const tmp = useTempDir();
const since = new Date(SIM_NOW - 24 * 3_600_000).toISOString();
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function exportAs(env: Record<string, string>, format: string, extra: string[] = []): Promise<Doc[]> {
  const r = await b0s(['export', '--checkpoint', path.join(tmp('cp'), 'cp.json'), '--since', since, '--format', format, ...extra], { env, now: SIM_NOW });
  expect([r.code, r.stderr]).toEqual([0, '']);
  return parseNdjson(r.stdout) as Doc[];
}

const iso = (t: string | null | undefined) => new Date(Date.parse(t ?? '')).toISOString();
const over = (e: ExportEvent) => e.event !== 'session.started';

/** Native events paired with the same events in another format, by event ID. */
async function paired(format: 'ecs' | 'ocsf'): Promise<Array<[ExportEvent, Doc]>> {
  return withSim({}, async (_sim, env) => {
    const native = exportEvents((await b0s(['export', '--checkpoint', path.join(tmp('cp'), 'n.json'), '--since', since], { env, now: SIM_NOW })).stdout);
    const docs = await exportAs(env, format);
    const byId = new Map(docs.map((d) => [format === 'ecs' ? d.event.id : d.metadata.uid, d]));
    expect(byId.size).toBe(native.length);
    return native.map((e) => [e, byId.get(e.event_id) as Doc]);
  });
}

const kinds = (pairs: Array<[ExportEvent, Doc]>) => new Set(pairs.map(([e]) => `${e.event}/${e.session.result}/${e.session.session_type}`));

describe('--format ecs', () => {
  it('maps every event field by field (ECS 8.11), and keeps the session whole under b0s.session', async () => {
    const pairs = await paired('ecs');
    // The data covers every kind of event, denials and several session types.
    expect([...kinds(pairs)]).toEqual(expect.arrayContaining(['session.started/success/ssh', 'session.ended/success/database', 'session.killed/success/ssh', 'session.started/denied/http']));
    for (const [e, d] of pairs) {
      const s = e.session;
      const ip = s.metadata?.ip_metadata ?? {};
      const denied = s.result === 'denied';
      expect(d['@timestamp']).toBe(e.event_time);
      expect(d.ecs).toEqual({ version: '8.11.0' });
      expect(d.event).toEqual({
        kind: 'event',
        category: ['session'],
        type: [over(e) ? 'end' : 'start', ...(denied ? ['denied'] : [])],
        action: { 'session.started': 'session-started', 'session.ended': 'session-ended', 'session.killed': 'session-killed' }[e.event],
        outcome: denied ? 'failure' : 'success',
        id: e.event_id,
        start: iso(s.start_time),
        ...(over(e) ? { end: iso(s.end_time), duration: (Date.parse(s.end_time ?? '') - Date.parse(s.start_time ?? '')) * 1_000_000 } : {}),
        ...(denied ? { reason: (s.auth_info as { reason: string }).reason } : {}),
        provider: 'border0',
        module: 'b0s',
        dataset: 'b0s.session',
      });
      expect(d.user).toEqual({ name: s.user_email, email: s.user_email, full_name: s.name, id: s.sub, ...(s.sshuser ? { target: { name: s.sshuser } } : {}) });
      expect(d.source).toEqual({
        ip: s.client_ip,
        port: Number(s.client_port),
        geo: {
          city_name: ip.city_name,
          country_iso_code: ip.country_code,
          country_name: ip.country_name,
          region_iso_code: `${ip.country_code}-${ip.region_code}`,
          region_name: ip.region_name,
          location: { lat: ip.latitude, lon: ip.longitude },
        },
        as: { organization: { name: ip.isp } },
      });
      expect(d.destination).toEqual({ address: s.server_name, port: Number(s.server_port) });
      expect(d.network).toEqual({ protocol: s.session_type });
      expect(d.service).toEqual({ name: s.socket_name, id: s.socket_id });
      expect(d.related).toEqual({ ip: [s.client_ip], user: s.sshuser ? [s.user_email, s.sshuser] : [s.user_email] });
      expect(d.b0s).toEqual({ event: e.event, session: s });
      expect(d.message).toContain(s.user_email);
      expect(Object.keys(d).sort()).toEqual(['@timestamp', 'b0s', 'destination', 'ecs', 'event', 'message', 'network', 'related', 'service', 'source', 'user']);
    }
  });
});

describe('--format ocsf', () => {
  it('maps SSH sessions to SSH Activity (4007) and others to Network Activity (4001), field by field (OCSF 1.3.0)', async () => {
    const pairs = await paired('ocsf');
    const classes = new Set(pairs.map(([, d]) => d.class_uid));
    expect([...classes].sort()).toEqual([4001, 4007]);
    for (const [e, d] of pairs) {
      const s = e.session as Session;
      const ip = s.metadata?.ip_metadata ?? {};
      const denied = s.result === 'denied';
      const ssh = s.session_type === 'ssh';
      const activity = denied ? (e.event === 'session.started' ? 5 : 2) : { 'session.started': 1, 'session.ended': 2, 'session.killed': 3 }[e.event];
      const activityName = { 1: 'Open', 2: 'Close', 3: 'Reset', 5: 'Refuse' }[activity] as string;
      const className = ssh ? 'SSH Activity' : 'Network Activity';
      expect(d).toMatchObject({
        class_uid: ssh ? 4007 : 4001,
        class_name: className,
        category_uid: 4,
        category_name: 'Network Activity',
        activity_id: activity,
        activity_name: activityName,
        type_uid: (ssh ? 4007 : 4001) * 100 + activity,
        type_name: `${className}: ${activityName}`,
        time: Date.parse(e.event_time),
        start_time: Date.parse(s.start_time ?? ''),
        severity_id: 1,
        status_id: denied ? 2 : 1,
        status: denied ? 'Failure' : 'Success',
      });
      if (over(e)) {
        expect(d.end_time).toBe(Date.parse(s.end_time ?? ''));
        expect(d.duration).toBe(Date.parse(s.end_time ?? '') - Date.parse(s.start_time ?? ''));
      } else {
        expect(d).not.toHaveProperty('end_time');
      }
      expect(d.status_detail).toBe(denied ? (s.auth_info as { reason: string }).reason : undefined);
      expect(d.metadata).toEqual({ version: '1.3.0', uid: e.event_id, product: { name: 'Border0', vendor_name: 'Border0', feature: { name: 'b0s export' } }, log_name: 'session_logs' });
      expect(d.actor).toEqual({ user: { name: s.user_email, email_addr: s.user_email, full_name: s.name, uid: s.sub }, session: { uid: s.session_id, created_time: Date.parse(s.start_time ?? '') } });
      expect(d.src_endpoint).toEqual({
        ip: s.client_ip,
        port: Number(s.client_port),
        location: { city: ip.city_name, country: ip.country_code, region: ip.region_code, isp: ip.isp, coordinates: [ip.longitude, ip.latitude] },
      });
      expect(d.dst_endpoint).toEqual({ hostname: s.server_name, port: Number(s.server_port), svc_name: s.socket_name, uid: s.socket_id });
      expect(d.connection_info).toEqual({ direction_id: 1, direction: 'Inbound', protocol_name: 'tcp' });
      expect(d.unmapped).toEqual({ b0s: { event: e.event, session: s } });
    }
  });
});

describe('--with-recordings', () => {
  it('embeds in each session.ended event the text `b0s replay` prints, and log lines as objects', async () => {
    await withSim({ sessions: 60 }, async (sim, env) => {
      const events = exportEvents(
        (await b0s(['export', '--checkpoint', path.join(tmp('cp'), 'r.json'), '--since', since, '--with-recordings'], { env, now: SIM_NOW })).stdout,
      );
      const ended = events.filter((e) => e.event === 'session.ended' && (e.session.recordings?.length ?? 0) > 0);
      expect(ended.length).toBeGreaterThan(5);
      // Only ended events carry recordings, and every ended session with recordings has them.
      expect(events.filter((e) => e.recordings !== undefined)).toEqual(ended);
      const types = new Set<string | null>();
      for (const e of ended) {
        expect(e.recordings?.map((r) => r.recording_id)).toEqual(e.session.recordings?.map((r) => r.recording_id));
        for (const r of e.recordings ?? []) {
          types.add(r.recording_type);
          if (r.recording_type === 'browser_session_stream') {
            // A video has no text form: said so in the event, not skipped silently.
            expect(r.error).toMatch(/no text form/);
            continue;
          }
          expect(r.error).toBeUndefined();
          const replay = await b0s(['replay', `${e.session.socket_id}/${e.session.session_id}`, '--recording', r.recording_id], { env });
          expect(replay.code).toBe(0);
          // What replay prints: the text, then (when the recording hid some) the hidden lines.
          const hidden = r.hidden?.length ? `── b0s: printed, then hidden by overwriting the line, erasing it or scrolling it away (${r.hidden.length}) ──\n${r.hidden.map((h) => `${h}\n`).join('')}` : '';
          expect(`${r.text}\n${hidden}`).toBe(replay.stdout);
          if (r.recording_type === 'asciinema') {
            expect(r.records).toBeUndefined();
          } else {
            const raw = await fetch(`${sim.url}/session/${e.session.socket_id}/${e.session.session_id}/session_log?recording_id=${r.recording_id}`, { headers: { 'x-access-token': sim.token } });
            const lines = ((await raw.json()) as string).split('\n').filter((l) => l.trim() !== '');
            expect(r.records).toEqual(lines.map((l) => JSON.parse(l)));
          }
        }
      }
      expect([...types]).toEqual(expect.arrayContaining(['asciinema', 'database_query_log', 'http_access_log']));
      expect(events.filter((e) => e.event !== 'session.ended').every((e) => e.recordings === undefined)).toBe(true);
    });
  });

  it(`caps what it embeds: at most ${MAX_EMBEDDED_RECORDS.toLocaleString('en-US')} log lines and 1 MiB of text per recording, marked truncated`, async () => {
    const server = await startServer();
    const dir = tmp('cap');
    try {
      const session = {
        session_id: '11111111-1111-4111-8111-111111111111',
        socket_id: '22222222-2222-4222-8222-222222222222',
        socket_name: 'big-db',
        start_time: '2026-11-26T10:00:00Z',
        end_time: '2026-11-26T11:00:00Z',
        result: 'success',
        session_type: 'database',
        recordings: [{ recording_id: '33333333-3333-4333-8333-333333333333', start_time: '2026-11-26T10:00:00Z', recording_type: 'database_query_log' }],
      };
      const query = (i: number) => JSON.stringify({ time: Date.parse('2026-11-26T10:00:00Z') + i, database: 'orders', command: `SELECT ${'x'.repeat(80)} FROM t${i}`, status: 'ok', rows: 1 });
      const log = JSON.stringify(Array.from({ length: 15_000 }, (_, i) => query(i)).join('\n'));
      server.handle((req, res) => {
        res.setHeader('content-type', 'application/json');
        const url = new URL(req.url ?? '', 'http://x');
        if (url.pathname === '/api/v1/sessions') {
          const page = Number(url.searchParams.get('page'));
          const size = Number(url.searchParams.get('page_size'));
          res.end(JSON.stringify({ pagination: { current_page: page, records_per_page: size, total_records: 1, total_pages: 1, next_page: 0 }, session_logs: page === 1 ? [session] : [] }));
        } else res.end(log);
      });
      const r = await b0s(['export', '--checkpoint', path.join(dir, 'cp.json'), '--since', since, '--with-recordings', '--out', path.join(dir, 'out.ndjson')], {
        env: { BORDER0_API: server.url, BORDER0_ADMIN_TOKEN: ENV_TOKEN },
        now: SIM_NOW,
      });
      expect([r.code, r.stderr]).toEqual([0, '']);
      const ended = exportEvents(readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).find((e) => e.event === 'session.ended');
      const [rec] = ended?.recordings ?? [];
      expect(rec?.truncated).toBe(true);
      expect(rec?.records).toHaveLength(MAX_EMBEDDED_RECORDS);
      expect(rec?.records?.[9_999]).toEqual(JSON.parse(query(9_999)));
      expect(rec?.text?.length).toBe(1024 * 1024);
    } finally {
      await server.close();
    }
  });
});
