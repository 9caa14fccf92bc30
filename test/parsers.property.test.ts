// Property tests: whatever the server sends, the response parsers return a value or a
// typed error, never anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSession, parseSessionPage, sessionKey } from '../src/api/parse';
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from '../src/api/retry';
import { matchesFilter } from '../src/session';
import { ApiError } from '../src/errors';
import { inlineText, multilineText } from '../src/text';
import { csvCell } from '../src/output/csv';
import { tableCells } from '../src/output/list-writer';
import type { Session } from '../src/api/types';

const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u001b]0;pwned\u0007', '\u202eevil', '=HYPERLINK("x")', '\r\roverwrite', '\u009b31m', '\u0000', '🦄', 'a'.repeat(500)),
);
const json = fc.jsonValue();
// JSON whose keys shadow Object.prototype: String() on it throws.
const booby = fc.constantFrom({ toString: 1 }, { valueOf: 'x', toString: null }, { toJSON: 1 });
const sessionLike = fc.dictionary(
  fc.oneof(fc.constantFrom('session_id', 'socket_id', 'socket_name', 'start_time', 'end_time', 'killed', 'result', 'user_email', 'name', 'client_ip', 'session_type', 'server_name', 'metadata', 'recordings', '__proto__'), fc.string()),
  fc.oneof(json, hostileString, booby),
);

function typedOrValue(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
  }
}

describe('response parsers', () => {
  it('parseSessionPage: any JSON gives a page or an ApiError', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.record({ pagination: fc.oneof(json, fc.dictionary(fc.string(), json)), session_logs: fc.oneof(json, fc.array(sessionLike)) })), (value) => {
        typedOrValue(() => {
          const page = parseSessionPage(value, 'GET /sessions');
          expect(Array.isArray(page.sessions)).toBe(true);
          for (const v of Object.values(page.pagination)) expect(Number.isInteger(v) && (v as number) >= 0).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('parseSession: an object, or an ApiError', () => {
    fc.assert(
      fc.property(fc.oneof(json, sessionLike, fc.array(sessionLike)), (value) => {
        typedOrValue(() => parseSession(value, 'GET /session/x/y'));
      }),
      { numRuns: 300 },
    );
  });

  it('sessionKey, filters and table cells never throw on odd sessions, and cells hold no control characters', () => {
    fc.assert(
      fc.property(sessionLike, (raw) => {
        const s = raw as unknown as Session;
        expect(typeof sessionKey(s)).toBe('string');
        matchesFilter(s, { sockets: ['a'], users: ['b'], result: 'success', statuses: ['live'], types: ['ssh'], since: 0, until: Date.now() });
        for (const wide of [true, false]) {
          for (const cell of tableCells(s, { now: Date.now(), wide, terminal: true })) {
            // eslint-disable-next-line no-control-regex
            expect(cell).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
          }
        }
      }),
      { numRuns: Number(process.env.B0S_PROPERTY_RUNS ?? 300) },
    );
  });

  it('parseRetryAfter: undefined or a delay between 0 and the cap', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat().map(String), fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toUTCString()))), (v) => {
        const ms = parseRetryAfter(v, Date.now());
        if (ms !== undefined) expect(ms >= 0 && ms <= RETRY_AFTER_CAP_MS).toBe(true);
      }),
    );
  });
});

describe('sanitising', () => {
  it('inline text has no control, C1 or bidi characters left, and plain text is untouched', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        // eslint-disable-next-line no-control-regex
        expect(inlineText(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/);
        // eslint-disable-next-line no-control-regex
        if (!/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/.test(s)) expect(inlineText(s)).toBe(s);
      }),
    );
  });

  it('multi-line text keeps newlines and tabs only', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        // eslint-disable-next-line no-control-regex
        expect(multilineText(s)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }),
    );
  });

  it('CSV cells never start with a formula character', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const cell = csvCell(s);
        const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
        expect(unquoted).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});
