// --syslog URL: each event as an RFC 5424 message whose MSG part is the event's JSON.
// Over TCP and TLS the messages are octet-counted (RFC 6587, "LEN SP MSG"), so an event
// of any length and content is one message. Delivery is confirmed the only way plain
// syslog allows: b0s closes its side after the last event and waits for the receiver to
// close its own, which it does once it has read everything before b0s's close. Over UDP
// nothing can be confirmed: a datagram that is lost is lost (say so in the README).
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import { NetworkError, OutputError, UsageError } from '../../errors';
import { inlineText } from '../../text';
import type { Sink, SinkEvent } from './index';

export type SyslogProtocol = 'tcp' | 'tls' | 'udp';

export interface SyslogTarget {
  protocol: SyslogProtocol;
  host: string;
  port: number;
}

/** The usual ports: 514 for plain syslog, 6514 for syslog over TLS (RFC 5425). */
const DEFAULT_PORTS: Record<SyslogProtocol, number> = { tcp: 514, tls: 6514, udp: 514 };
/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65_507;
/** Facility 4 (security/authorization messages). */
const FACILITY = 4;
const SEVERITY = { info: 6, notice: 5 };

export function parseSyslogUrl(text: string): SyslogTarget {
  const bad = (why: string) => new UsageError(`--syslog must be tcp://HOST:PORT, tls://HOST:PORT or udp://HOST:PORT (${why}), got "${inlineText(text)}"`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not a URL');
  }
  const protocol = url.protocol.replace(/:$/, '') as SyslogProtocol;
  if (!(protocol in DEFAULT_PORTS)) throw bad(`unknown scheme ${url.protocol}`);
  if (url.hostname === '') throw bad('no host');
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) throw bad('only a host and a port');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { protocol, host, port: url.port === '' ? DEFAULT_PORTS[protocol] : Number(url.port) };
}

export function describeTarget(t: SyslogTarget): string {
  return `${t.protocol}://${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
}

/** RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`. */
export function syslogMessage(e: SinkEvent, hostname: string, pid: number): string {
  const notable = e.event.event === 'session.killed' || e.event.session.result === 'denied';
  const pri = FACILITY * 8 + (notable ? SEVERITY.notice : SEVERITY.info);
  return `<${pri}>1 ${e.event.event_time} ${headerField(hostname, 255)} b0s ${pid} ${e.event.event} - ${e.json}`;
}

/** Header fields are printable US-ASCII without spaces; anything else is the NILVALUE. */
function headerField(value: string, max: number): string {
  return /^[\x21-\x7e]+$/.test(value) ? value.slice(0, max) : '-';
}

export interface SyslogOptions {
  hostname: string;
  pid: number;
  /** How long connecting, and the receiver's confirmation, may take. */
  timeoutMs: number;
}

export async function syslogSink(target: SyslogTarget, opts: SyslogOptions): Promise<Sink> {
  const where = describeTarget(target);
  const message = (e: SinkEvent) => Buffer.from(syslogMessage(e, opts.hostname, opts.pid), 'utf8');
  if (target.protocol === 'udp') return datagramSink(target, where, message);
  const stream = new StreamConnection(target, where, opts.timeoutMs);
  // Fail before anything is read when nobody listens there.
  await stream.open();
  return {
    async write(events) {
      if (events.length === 0) return;
      await stream.send(Buffer.concat(events.map((e) => frame(message(e)))));
    },
    commit: () => stream.confirm(),
    async close() {
      stream.destroy();
    },
  };
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
function frame(msg: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${msg.length} `, 'ascii'), msg]);
}

/** One connection and the first error it met (a late error of an old one must not touch the next). */
interface Connection {
  socket: net.Socket;
  failure?: Error;
}

class StreamConnection {
  private conn: Connection | undefined;

  constructor(
    private readonly target: SyslogTarget,
    private readonly where: string,
    private readonly timeoutMs: number,
  ) {}

  async open(): Promise<Connection> {
    if (this.conn) return this.conn;
    const { host, port } = this.target;
    const socket = this.target.protocol === 'tls' ? tls.connect({ host, port, servername: isIP(host) ? undefined : host }) : net.connect({ host, port });
    const conn: Connection = { socket };
    socket.on('error', (err) => {
      conn.failure ??= err;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(this.error(`no connection within ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      socket.once(this.target.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(this.error(describe(err), err));
      });
    });
    this.conn = conn;
    return conn;
  }

  async send(data: Buffer): Promise<void> {
    const conn = await this.open();
    try {
      await new Promise<void>((resolve, reject) => {
        conn.socket.write(data, (err) => {
          // What broke the connection, rather than the write's own "stream destroyed".
          const failure = conn.failure ?? err;
          if (failure) reject(this.error(describe(failure), failure));
          else resolve();
        });
      });
    } catch (err) {
      // The next pass starts on a new connection.
      this.destroy();
      throw err;
    }
  }

  /** Closes b0s's side and waits for the receiver to close its own: it has read every byte. */
  async confirm(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    this.conn = undefined;
    const { socket } = conn;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        if (conn.failure) reject(this.error(`${describe(conn.failure)} (delivery of these events is not confirmed)`, conn.failure));
        else resolve();
      };
      const timer = setTimeout(() => {
        socket.destroy();
        reject(this.error(`it did not close the connection within ${Math.round(this.timeoutMs / 1000)} s of the last event, so their delivery is not confirmed`));
      }, this.timeoutMs);
      if (socket.closed) return done();
      socket.once('close', done);
      socket.end();
    });
  }

  destroy(): void {
    this.conn?.socket.destroy();
    this.conn = undefined;
  }

  private error(why: string, cause?: unknown): NetworkError {
    return new NetworkError(`syslog receiver ${this.where}: ${inlineText(why)}`, (cause as NodeJS.ErrnoException | undefined)?.code, { cause });
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it listening there?)';
    case 'ECONNRESET':
      return 'the receiver reset the connection';
    case 'EPIPE':
    case 'ERR_STREAM_DESTROYED':
      return 'the receiver closed the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `its TLS certificate is not trusted (${e.code}); add its CA with NODE_EXTRA_CA_CERTS`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'its TLS certificate is for another name';
    default:
      return e?.message ?? 'the connection failed';
  }
}

async function datagramSink(target: SyslogTarget, where: string, message: (e: SinkEvent) => Buffer): Promise<Sink> {
  const socket = dgram.createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
  const failed = (err: unknown) => new NetworkError(`syslog receiver ${where}: ${inlineText(describe(err))}`, (err as NodeJS.ErrnoException).code, { cause: err });
  socket.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(failed(err)));
      socket.connect(target.port, target.host, () => resolve());
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  return {
    async write(events) {
      for (const e of events) {
        const msg = message(e);
        if (msg.length > MAX_DATAGRAM) {
          throw new OutputError(`event ${e.event.event_id} is ${msg.length.toLocaleString('en-US')} bytes as a syslog message, more than a UDP datagram holds (${MAX_DATAGRAM.toLocaleString('en-US')}): use tcp:// or tls://`);
        }
        await new Promise<void>((resolve, reject) => socket.send(msg, (err) => (err ? reject(failed(err)) : resolve())));
      }
    },
    // Nothing to wait for: UDP has no acknowledgement.
    async commit() {},
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
