// Elastic Common Schema (ECS 8.11): one ECS document per export event. Every field is
// documented in the README ("ECS fields"); the session as the API sent it is kept whole
// under `b0s.session`, so nothing the mapping leaves out is lost.
import { textOf } from '../../text';
import type { ExportEvent } from '../events';
import { compact, denialReason, num, port, str, times } from './common';

export const ECS_VERSION = '8.11.0';

const ACTION = { 'session.started': 'session-started', 'session.ended': 'session-ended', 'session.killed': 'session-killed' } as const;

export function toEcs(e: ExportEvent): Record<string, unknown> {
  const s = e.session;
  const ip = s.metadata?.ip_metadata ?? undefined;
  const { start, end, durationMs } = times(s);
  const denied = s.result === 'denied';
  const over = e.event !== 'session.started';
  const country = str(ip?.country_code) ?? str(s.country_code);
  const region = str(ip?.region_code);
  const lat = num(ip?.latitude);
  const lon = num(ip?.longitude);
  const email = str(s.user_email);
  const socket = str(s.socket_name) ?? e.socket_name;
  const type = str(s.session_type)?.toLowerCase();
  const doc = compact({
    '@timestamp': e.event_time,
    ecs: { version: ECS_VERSION },
    message: message(e, email, socket, type),
    event: {
      kind: 'event',
      category: ['session'],
      type: [over ? 'end' : 'start', ...(denied ? ['denied'] : [])],
      action: ACTION[e.event],
      outcome: denied ? 'failure' : 'success',
      id: e.event_id,
      start: start === undefined ? undefined : new Date(start).toISOString(),
      end: over && end !== undefined ? new Date(end).toISOString() : undefined,
      duration: over && durationMs !== undefined ? durationMs * 1_000_000 : undefined,
      reason: denied ? denialReason(s) : undefined,
      provider: 'border0',
      module: 'b0s',
      dataset: 'b0s.session',
    },
    user: {
      name: email ?? str(s.nickname),
      email,
      full_name: str(s.name),
      id: str(s.sub),
      target: { name: str(s.sshuser) },
    },
    source: {
      ip: str(s.client_ip),
      port: port(s.client_port),
      geo: {
        city_name: str(ip?.city_name),
        country_iso_code: country,
        country_name: str(ip?.country_name),
        region_iso_code: country && region ? `${country}-${region}` : undefined,
        region_name: str(ip?.region_name),
        location: lat !== undefined && lon !== undefined ? { lat, lon } : undefined,
      },
      as: { organization: { name: str(ip?.isp) } },
    },
    destination: { address: str(s.server_name), port: port(s.server_port) },
    network: { protocol: type },
    service: { name: socket, id: str(s.socket_id) },
    related: {
      ip: [str(s.client_ip)].filter(Boolean),
      user: [...new Set([email, str(s.sshuser)].filter(Boolean))],
    },
  });
  // The original goes in after compacting: it stays exactly as sent.
  const b0s: Record<string, unknown> = { event: e.event, session: s };
  if (e.socket_name !== undefined) b0s.socket_name = e.socket_name;
  if (e.recordings !== undefined) b0s.recordings = e.recordings;
  return { ...doc, b0s };
}

function message(e: ExportEvent, email: string | undefined, socket: string | undefined, type: string | undefined): string {
  const from = str(e.session.client_ip) ? ` from ${textOf(e.session.client_ip)}` : '';
  const what = `${type ? `${type} ` : ''}session of ${email ?? 'an unknown user'}${socket ? ` to ${socket}` : ''}${from}`;
  if (e.session.result === 'denied') return `${what} was denied`;
  return `${what} ${{ 'session.started': 'started', 'session.ended': 'ended', 'session.killed': 'was killed' }[e.event]}`;
}
