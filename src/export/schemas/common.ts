// Reading the API's loosely typed session fields for the schema mappings: a value that
// is missing, empty or of the wrong type is left out of the mapped event, never guessed.
import type { Session } from '../../api/types';
import { timeOf } from '../../time';

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A port as a number (the API sends ports as strings). */
export function port(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Start, end and duration (ms) of a session, where known. */
export function times(s: Session): { start?: number; end?: number; durationMs?: number } {
  const start = timeOf(s.start_time);
  const end = timeOf(s.end_time);
  return { start, end, durationMs: start !== undefined && end !== undefined ? Math.max(0, end - start) : undefined };
}

/** Why a session was denied, when the API says. */
export function denialReason(s: Session): string | undefined {
  const info = s.auth_info;
  return info !== null && typeof info === 'object' ? str((info as Record<string, unknown>).reason) : undefined;
}

/** Drops keys whose value is undefined, and objects left empty, recursively, so mapped events hold only what is known. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact).filter((v) => v !== undefined) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const c = compact(v);
    if (c === undefined) continue;
    if (c !== null && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
    out[k] = c;
  }
  return out as T;
}
