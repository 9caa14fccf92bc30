// The HTTP side: records every request, injects faults and latency, checks the token,
// then hands the request to its endpoint. Order matters and mirrors production: a proxy
// or rate limiter in front of the API fails a request before the API sees its token.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTH_ERRORS, classifyAuth } from './auth';
import { SessionStore } from './data';
import { FaultInjector, type FaultKind } from './faults';
import { handle } from './handlers';
import type { MutableOptions, SimRequest } from './options';
import { apiError, routerError, type Reply } from './reply';
import { matchRoute } from './routes';

export interface ServerConfig {
  seed: number;
  token: string;
  forbiddenToken: string | undefined;
  quiet: boolean;
  onRequest: ((request: SimRequest) => void) | undefined;
}

const FAULT_MESSAGES: Partial<Record<FaultKind, readonly [number, string]>> = {
  '429': [429, 'rate limit exceeded'],
  '429date': [429, 'rate limit exceeded'],
  '500': [500, 'internal server error'],
  '502': [502, 'bad gateway'],
  '503': [503, 'service unavailable'],
  '504': [504, 'gateway timeout'],
};

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client that hangs up mid-body gets no answer anyway.
    req.on('error', () => resolve(''));
    req.on('aborted', () => resolve(''));
  });
}

export class SimServer {
  readonly requests: SimRequest[] = [];
  readonly unhandled: SimRequest[] = [];
  private seq = 0;
  private faults: FaultInjector;
  private readonly http: Server;
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(
    readonly store: SessionStore,
    readonly options: MutableOptions,
    private readonly config: ServerConfig,
    faultSpec: string,
  ) {
    this.faults = FaultInjector.fromSpec(config.seed, faultSpec);
    this.http = createServer({ keepAlive: true }, (req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        // A simulator bug must not pass for an API error the client tolerated.
        process.stderr.write(`b0s-sim: internal error on ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}\n`);
        if (!res.headersSent) this.send(res, apiError(500, `simulator bug: ${String(err)}`));
      });
    });
    this.http.keepAliveTimeout = 5000;
  }

  setFaults(spec: string): void {
    this.faults = FaultInjector.fromSpec(this.config.seed, spec);
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve((this.http.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    this.closed = true;
    for (const [timer, wake] of this.waits) {
      clearTimeout(timer);
      wake();
    }
    this.waits.clear();
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      // Keep-alive sockets would hold close() open for seconds.
      this.http.closeAllConnections();
    });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const record: SimRequest = {
      n: ++this.seq,
      method,
      path: url.pathname,
      query: firstValues(url.searchParams),
      status: 0,
      auth: classifyAuth(req.headers['x-access-token'], this.config.token, this.config.forbiddenToken),
    };
    const ua = req.headers['user-agent'];
    if (ua !== undefined) record.userAgent = ua;
    this.requests.push(record);
    const fault = this.faults.next();
    if (fault) record.fault = fault;

    const body = await readBody(req);
    if (body !== '') record.body = body;

    const route = matchRoute(method, url.pathname);
    if (route.name === 'unhandled') {
      this.unhandled.push(record);
      if (!this.config.quiet) process.stderr.write(`b0s-sim: unhandled route ${method} ${url.pathname}\n`);
    }
    // Sessions start and age out whether or not this request gets through.
    const listNo = route.name === 'list' ? this.store.listRequest(this.options.arrivalsPerListRequest, this.options.ageOutPerListRequest) : 0;

    await this.sleep(this.options.latencyMs + (fault === 'slow' ? this.options.slowMs : 0));
    if (this.closed) return;

    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      this.done(record);
      return;
    }
    let reply = this.faultReply(fault);
    if (!reply) {
      if (route.name === 'unhandled') {
        reply = routerError(route.status, route.allow ? { allow: route.allow } : {});
      } else if (record.auth !== 'valid') {
        const [status, message] = AUTH_ERRORS[record.auth];
        reply = apiError(status, message);
      } else {
        reply = handle(route, url.searchParams, body, { store: this.store, options: this.options, seed: this.config.seed, requestNo: record.n, listNo });
      }
    }

    if (fault === 'truncate') {
      record.status = 200;
      const half = reply.body.subarray(0, Math.max(1, Math.floor(reply.body.length / 2)));
      res.writeHead(200, { ...reply.headers, 'content-length': String(reply.body.length) });
      res.write(half, () => res.socket?.destroy());
      this.done(record);
      return;
    }
    if (fault === 'malformed') {
      // Cut mid-way plus an unclosed brace: invalid JSON whatever the real body was.
      const cut = reply.body.subarray(0, Math.ceil(reply.body.length / 2));
      reply = { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.concat([cut, Buffer.from('{')]) };
    }
    record.status = reply.status;
    this.send(res, reply);
    this.done(record);
  }

  private faultReply(fault: FaultKind | undefined): Reply | undefined {
    if (fault === undefined) return undefined;
    const known = FAULT_MESSAGES[fault];
    if (known) {
      const [status, message] = known;
      const headers: Record<string, string> = {};
      if (fault === '429') headers['retry-after'] = String(this.options.retryAfterSeconds);
      if (fault === '429date') {
        headers['retry-after'] = new Date(Date.now() + this.options.retryAfterSeconds * 1000).toUTCString();
      }
      return apiError(status, message, headers);
    }
    if (fault === 'html') return { status: 502, headers: { 'content-type': 'text/html' }, body: Buffer.from(HTML_502) };
    if (fault === 'empty') return { status: 503, headers: {}, body: Buffer.alloc(0) };
    return undefined;
  }

  private send(res: ServerResponse, reply: Reply): void {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
    res.end(reply.body);
  }

  private done(record: SimRequest): void {
    this.config.onRequest?.(record);
  }
}
