// Tokens shaped like Border0's: JWTs whose payload a client may decode (to show the org
// or warn about expiry). Portal-made admin tokens carry no exp, so neither do these.

import { createHmac } from 'node:crypto';

function jwt(payload: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', 'b0s-sim').update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

const ISSUED_AT = 1767225600; // 2026-01-01T00:00:00Z: fixed so the token is the same on every run

export const SIM_TOKEN = jwt({ org_id: 'sim-org', user_email: 'admin@example.com', type: 'admin', iat: ISSUED_AT });

/** Recognised, but a member's token, not an admin's: every call answers 403. */
export const SIM_FORBIDDEN_TOKEN = jwt({ org_id: 'sim-org', user_email: 'viewer@example.com', type: 'member', iat: ISSUED_AT });

export type AuthState = 'valid' | 'invalid' | 'missing' | 'forbidden';

export function classifyAuth(header: string | string[] | undefined, token: string, forbiddenToken: string | undefined): AuthState {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return 'missing';
  if (value === token) return 'valid';
  if (forbiddenToken !== undefined && value === forbiddenToken) return 'forbidden';
  return 'invalid';
}

export const AUTH_ERRORS: Record<Exclude<AuthState, 'valid'>, readonly [number, string]> = {
  missing: [401, 'missing access token'],
  invalid: [401, 'invalid or expired token'],
  forbidden: [403, 'token lacks admin permission'],
};
