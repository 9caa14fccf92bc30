// Which endpoint a request is for. Anything else is an unhandled route, which the
// server answers loudly: a client calling a URL the real API lacks must fail in tests.

import type { StatsKind } from '../api/types';

export type Route =
  | { name: 'list' }
  | { name: 'stats'; kind: StatsKind }
  | { name: 'socket'; socketId: string }
  | { name: 'session'; socketId: string; sessionId: string }
  | { name: 'kill'; socketId: string; sessionId: string }
  | { name: 'log'; socketId: string; sessionId: string }
  | { name: 'unhandled'; status: 404 | 405; allow?: string };

const PREFIX = '/api/v1/';
const STATS: readonly string[] = ['locations', 'sockets', 'users'];

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(method: string, pathname: string): Route {
  if (!pathname.startsWith(PREFIX)) return { name: 'unhandled', status: 404 };
  const segments = pathname.slice(PREFIX.length).split('/').map(decode);
  // An empty or undecodable segment (a double slash, a trailing slash) is no route.
  if (segments.some((s) => s === undefined || s === '')) return { name: 'unhandled', status: 404 };
  const [a, b, c, d, ...more] = segments as string[];
  if (more.length > 0) return { name: 'unhandled', status: 404 };

  let route: Route | undefined;
  let allow = 'GET';
  if (a === 'sessions' && b === undefined) route = { name: 'list' };
  else if (a === 'sessions' && b === 'stats' && c !== undefined && STATS.includes(c) && d === undefined) {
    route = { name: 'stats', kind: c as StatsKind };
  } else if (a === 'session' && b !== undefined && c === undefined) route = { name: 'socket', socketId: b };
  else if (a === 'session' && b !== undefined && c !== undefined && d === undefined) {
    allow = 'GET, PUT';
    route = method === 'PUT' ? { name: 'kill', socketId: b, sessionId: c } : { name: 'session', socketId: b, sessionId: c };
  } else if (a === 'session' && b !== undefined && c !== undefined && d === 'session_log') {
    route = { name: 'log', socketId: b, sessionId: c };
  }
  if (!route) return { name: 'unhandled', status: 404 };
  if (!allow.split(', ').includes(method)) return { name: 'unhandled', status: 405, allow };
  return route;
}
