// Checks that a parsed response has the shape b0s relies on, without dropping anything:
// the objects returned are the very objects the server sent.
import { ApiError } from '../errors';
import { textOf } from '../text';
import type { Pagination, Session, SessionPage } from './types';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(endpoint: string, what: string): ApiError {
  return new ApiError(`unexpected response to ${endpoint}: ${what}`);
}

function sessionsOf(list: unknown, endpoint: string): Session[] {
  if (!Array.isArray(list)) throw bad(endpoint, 'expected a list of sessions');
  for (const item of list) {
    if (!isObject(item)) throw bad(endpoint, 'a session is not a JSON object');
  }
  return list as Session[];
}

export interface ParsedPage {
  sessions: Session[];
  pagination: Pagination;
}

export function parseSessionPage(value: unknown, endpoint: string): ParsedPage {
  if (!isObject(value)) throw bad(endpoint, 'expected an object with session_logs');
  const page = value as SessionPage;
  const sessions = page.session_logs == null ? [] : sessionsOf(page.session_logs, endpoint);
  const pagination: Pagination = {};
  if (isObject(page.pagination)) {
    for (const [k, v] of Object.entries(page.pagination)) {
      // Integers only; anything else is treated as not sent.
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) (pagination as Record<string, number>)[k] = v;
    }
  }
  return { sessions, pagination };
}

export function parseSession(value: unknown, endpoint: string): Session {
  if (!isObject(value)) throw bad(endpoint, 'expected a session object');
  return value as Session;
}

/** The key sessions are told apart by; a session without an ID is keyed by its content. */
export function sessionKey(s: Session): string {
  return typeof s.session_id === 'string' && s.session_id !== '' ? s.session_id : textOf(s);
}
