// OCSF 1.3.0: SSH sessions as SSH Activity (class 4007), every other session type as
// Network Activity (class 4001), both in the Network Activity category (4) and sharing
// its activities: Open (started), Close (ended), Reset (killed), Refuse (denied). Every
// field is documented in the README ("OCSF fields"); the session as the API sent it is
// kept whole under `unmapped.b0s.session`.
import type { ExportEvent } from '../events';
import { compact, denialReason, num, port, str, times } from './common';

export const OCSF_VERSION = '1.3.0';

const CLASSES = {
  ssh: { uid: 4007, name: 'SSH Activity' },
  other: { uid: 4001, name: 'Network Activity' },
} as const;

const ACTIVITIES = { open: { id: 1, name: 'Open' }, close: { id: 2, name: 'Close' }, reset: { id: 3, name: 'Reset' }, refuse: { id: 5, name: 'Refuse' } } as const;

function activityOf(e: ExportEvent): (typeof ACTIVITIES)[keyof typeof ACTIVITIES] {
  if (e.session.result === 'denied') return e.event === 'session.started' ? ACTIVITIES.refuse : ACTIVITIES.close;
  return e.event === 'session.started' ? ACTIVITIES.open : e.event === 'session.killed' ? ACTIVITIES.reset : ACTIVITIES.close;
}

export function toOcsf(e: ExportEvent): Record<string, unknown> {
  const s = e.session;
  const ip = s.metadata?.ip_metadata ?? undefined;
  const type = str(s.session_type)?.toLowerCase();
  const cls = type === 'ssh' ? CLASSES.ssh : CLASSES.other;
  const activity = activityOf(e);
  const { start, end, durationMs } = times(s);
  const over = e.event !== 'session.started';
  const denied = s.result === 'denied';
  const lat = num(ip?.latitude);
  const lon = num(ip?.longitude);
  const doc = compact({
    class_uid: cls.uid,
    class_name: cls.name,
    category_uid: 4,
    category_name: 'Network Activity',
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: cls.uid * 100 + activity.id,
    type_name: `${cls.name}: ${activity.name}`,
    time: Date.parse(e.event_time),
    start_time: start,
    end_time: over ? end : undefined,
    duration: over ? durationMs : undefined,
    severity_id: 1,
    severity: 'Informational',
    status_id: denied ? 2 : 1,
    status: denied ? 'Failure' : 'Success',
    status_detail: denied ? denialReason(s) : undefined,
    message: `${type ?? 'unknown'} session ${e.event.replace('session.', '')}`,
    metadata: {
      version: OCSF_VERSION,
      uid: e.event_id,
      product: { name: 'Border0', vendor_name: 'Border0', feature: { name: 'b0s export' } },
      log_name: 'session_logs',
    },
    actor: {
      user: { name: str(s.user_email) ?? str(s.nickname), email_addr: str(s.user_email), full_name: str(s.name), uid: str(s.sub) },
      session: { uid: str(s.session_id), created_time: start },
    },
    src_endpoint: {
      ip: str(s.client_ip),
      port: port(s.client_port),
      location: {
        city: str(ip?.city_name),
        country: str(ip?.country_code) ?? str(s.country_code),
        region: str(ip?.region_code),
        isp: str(ip?.isp),
        coordinates: lat !== undefined && lon !== undefined ? [lon, lat] : undefined,
      },
    },
    dst_endpoint: {
      hostname: str(s.server_name),
      port: port(s.server_port),
      svc_name: str(s.socket_name) ?? e.socket_name,
      uid: str(s.socket_id),
    },
    connection_info: { direction_id: 1, direction: 'Inbound', protocol_name: 'tcp' },
  });
  const b0s: Record<string, unknown> = { event: e.event, session: s };
  if (e.socket_name !== undefined) b0s.socket_name = e.socket_name;
  if (e.recordings !== undefined) b0s.recordings = e.recordings;
  return { ...doc, unmapped: { b0s } };
}
