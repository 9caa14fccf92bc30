// A small hostile HTTP server on 127.0.0.1 (port 0): each test says how it answers.
// Where the simulator plays a faithful Border0, this one plays an attacker's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestServer {
  /** An API base URL for b0s (BORDER0_API). */
  url: string;
  /** "GET /api/v1/sessions?…" for each request, in order. */
  requests: string[];
  /** Body bytes the server managed to hand to the socket. */
  sent: number;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  let handler: Handler = (_req, res) => res.writeHead(500).end();
  const server = http.createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    url: `http://127.0.0.1:${port}/api/v1`,
    requests: [],
    sent: 0,
    handle(h) {
      handler = h;
      state.requests = [];
      state.sent = 0;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return state;
}

/**
 * Writes `chunk` over and over until the client goes away, honouring backpressure, and
 * counts what it wrote: an endless body.
 */
export function endless(server: TestServer, res: http.ServerResponse, chunk: Buffer): void {
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open) {
      server.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
  };
  pump();
}

/** Sends one byte of `text` every `ms` until it is all sent or the client goes away. */
export function trickle(res: http.ServerResponse, text: string, ms: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= text.length) {
      clearInterval(timer);
      res.end();
    } else res.write(text[i++] ?? '');
  }, ms);
  res.on('close', () => clearInterval(timer));
}
