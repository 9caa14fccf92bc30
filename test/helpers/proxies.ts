// Local stand-ins for what sits between b0s and Border0 in real networks: a TLS
// endpoint with its own CA in front of the simulator, and an HTTP proxy.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export const CA_CERT = path.join(__dirname, '..', 'fixtures', 'tls', 'cert.pem');

function forward(target: URL, req: http.IncomingMessage, res: http.ServerResponse, pathOverride?: string): void {
  const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: pathOverride ?? req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

/** HTTPS on 127.0.0.1 with the fixture certificate, forwarding to an http origin. */
export async function startTlsFront(origin: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(origin);
  const server = https.createServer({ key: readFileSync(path.join(__dirname, '..', 'fixtures', 'tls', 'key.pem')), cert: readFileSync(CA_CERT) }, (req, res) => forward(target, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${target.pathname}`,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** A forward proxy: CONNECT tunnels and absolute-form requests, each one logged. */
export async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    forward(target, req, res, `${target.pathname}${target.search}`);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = String(req.url).split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
