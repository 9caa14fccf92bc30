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

/**
 * What a Go HTTP router answers for a path or method it does not route (the API's own
 * handlers never run): plain text, not the API's JSON error. A client pointed at the
 * wrong path sees a web server, not the API, saying "not found".
 */
export function routerError(status: 404 | 405, headers: Record<string, string> = {}): Reply {
  const text = status === 404 ? '404 page not found\n' : 'Method Not Allowed\n';
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: Buffer.from(text) };
}
