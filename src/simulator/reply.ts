// A response as a value: handlers build one, and the server may still corrupt it (the
// truncate and malformed faults need the real body before deciding what to send).

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

/** Every error the API sends has this shape, whatever the status. */
export function apiError(status: number, message: string, headers: Record<string, string> = {}): Reply {
  const reply = json(status, { error_message: message, status_code: status });
  Object.assign(reply.headers, headers);
  return reply;
}
