// The key/value view of one session for `b0s show`: every field the server sent, the
// well-known ones first in an order an admin reads them, then any others as they came.
import type { Session } from '../api/types';
import { timeOf } from '../time';
import { formatDuration, relativeTime } from './fields';
import { durationOf, statusOf } from '../session';
import { inlineText } from '../text';

export type DetailRow = [label: string, value: string];

export interface DetailOptions {
  now: number;
  /** On a terminal, times also say how long ago they were. */
  terminal: boolean;
}

const CONSUMED = [
  'session_id',
  'socket_id',
  'socket_name',
  'session_type',
  'result',
  'killed',
  'start_time',
  'end_time',
  'last_seen',
  'user_email',
  'name',
  'nickname',
  'sub',
  'picture',
  'sshuser',
  'server_name',
  'server_port',
  'client_ip',
  'client_port',
  'country_code',
  'country_flag',
  'metadata',
  'audit_log',
  'auth_info',
  'recordings',
];

function text(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  return inlineText(v);
}

function joinNonEmpty(parts: unknown[], sep: string): string {
  return parts.map(text).filter(Boolean).join(sep);
}

function time(v: unknown, opts: DetailOptions): string {
  const raw = text(v);
  const t = timeOf(v);
  return opts.terminal && t !== undefined ? `${raw} (${relativeTime(t, opts.now)})` : raw;
}

function endpoint(host: unknown, port: unknown): string {
  return joinNonEmpty([host, port], ':');
}

export function sessionDetails(s: Session, opts: DetailOptions): DetailRow[] {
  const rows: DetailRow[] = [];
  const add = (label: string, value: string) => {
    if (value !== '') rows.push([label, value]);
  };
  const status = statusOf(s);
  const ip = s.metadata?.ip_metadata ?? undefined;

  add('Session', text(s.session_id));
  add('Socket', s.socket_name ? `${text(s.socket_name)} (${text(s.socket_id)})` : text(s.socket_id));
  add('Status', status === 'live' ? 'live (no end time yet)' : status);
  add('Type', text(s.session_type));
  add('Result', text(s.result));
  add('Killed', s.killed === undefined || s.killed === null ? '' : s.killed ? 'yes' : 'no');
  add('Started', time(s.start_time, opts));
  add('Ended', status === 'live' ? '-' : time(s.end_time, opts));
  add('Last seen', time(s.last_seen, opts));
  add('Duration', status === 'denied' ? '' : `${formatDuration(durationOf(s, opts.now))}${status === 'live' ? ' so far' : ''}`);
  add('User', s.name && s.user_email ? `${text(s.name)} <${text(s.user_email)}>` : text(s.user_email || s.name));
  add('Nickname', text(s.nickname));
  add('Subject', text(s.sub));
  add('Picture', text(s.picture));
  add('SSH user', text(s.sshuser));
  add('Server', endpoint(s.server_name, s.server_port));
  add('Client', endpoint(s.client_ip, s.client_port));
  add('Country', joinNonEmpty([s.country_flag, s.country_code], ' '));
  if (ip) {
    add('Location', joinNonEmpty([ip.city_name, ip.region_name, ip.country_name, ip.country_code ? `(${text(ip.country_code)})` : ''], ', ').replace(/, \(/, ' ('));
    add('Region code', text(ip.region_code));
    add('ISP', text(ip.isp));
    add('Coordinates', typeof ip.latitude === 'number' && typeof ip.longitude === 'number' ? `${ip.latitude}, ${ip.longitude}` : '');
    for (const [k, v] of Object.entries(ip)) {
      if (!['city_name', 'region_name', 'country_name', 'country_code', 'region_code', 'isp', 'latitude', 'longitude'].includes(k)) add(`ip_metadata.${text(k)}`, text(v));
    }
  }
  for (const [k, v] of Object.entries(s.metadata ?? {})) if (k !== 'ip_metadata') add(`metadata.${text(k)}`, text(v));
  add('Audit log', s.audit_log === undefined || s.audit_log === null ? '' : s.audit_log ? 'yes' : 'no');
  add('Auth', text(s.auth_info));
  for (const [k, v] of Object.entries(s)) if (!CONSUMED.includes(k)) add(text(k), text(v));

  const recordings = Array.isArray(s.recordings) ? s.recordings : [];
  add('Recordings', recordings.length === 0 ? 'none' : String(recordings.length));
  recordings.forEach((r, i) => {
    add(`Recording ${i + 1}`, joinNonEmpty([r?.recording_id, r?.recording_type, r?.start_time], '  '));
  });
  return rows;
}
