// A real rsyslog on 127.0.0.1 for the tests: rsyslogd in the foreground, unprivileged
// paths only (its work folder, config, PID file and output in a temp folder), listening
// on plain TCP, TLS (rsyslog-gnutls, with test/fixtures/tls's certificate for 127.0.0.1)
// and UDP. Each message it receives becomes one line of its output file: the fields its
// RFC 5424 parser found, tab-separated, then the MSG part. Always stopped by the test
// that started it; nothing is left running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? 'rsyslogd';
const TLS_DIR = path.join(__dirname, '..', 'fixtures', 'tls');

export interface Received {
  version: string;
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  msg: string;
}

export interface Rsyslog {
  tcpPort: number;
  tlsPort: number;
  udpPort: number;
  /** Every message received so far. */
  received(): Received[];
  /** Waits (the test's timeout is the only bound) until at least `n` messages arrived. */
  waitFor(n: number): Promise<Received[]>;
  stop(): Promise<void>;
}

/** Fails with the reason when rsyslogd or its TLS driver is missing, rather than skipping. */
export function checkRsyslog(): void {
  const version = spawnSync(RSYSLOGD, ['-v'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) throw new Error(`rsyslogd not found (${RSYSLOGD}): install the Debian package rsyslog (.ci/run does)`);
  const found = spawnSync('find', ['/usr/lib', '-name', 'lmnsd_gtls.so', '-print', '-quit'], { encoding: 'utf8' });
  if (!found.stdout?.trim()) throw new Error('rsyslog has no TLS driver: install the Debian package rsyslog-gnutls (.ci/run does)');
}

/** A UDP port that was free a moment ago (imudp cannot report the port it picked). */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export async function startRsyslog(dir: string): Promise<Rsyslog> {
  checkRsyslog();
  const out = path.join(dir, 'received.log');
  const udpPort = await freeUdpPort();
  const q = (p: string) => JSON.stringify(p);
  const config = `
global(workDirectory=${q(dir)} maxMessageSize="4m"
  defaultNetstreamDriverCAFile=${q(path.join(TLS_DIR, 'cert.pem'))}
  defaultNetstreamDriverCertFile=${q(path.join(TLS_DIR, 'cert.pem'))}
  defaultNetstreamDriverKeyFile=${q(path.join(TLS_DIR, 'key.pem'))})
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName=${q(path.join(dir, 'tcp.port'))})
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName=${q(path.join(dir, 'tls.port'))}
  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
template(name="fields" type="string"
  string="%protocol-version%\\t%pri%\\t%timereported:::date-rfc3339%\\t%hostname%\\t%app-name%\\t%procid%\\t%msgid%\\t%msg%\\n")
action(type="omfile" file=${q(out)} template="fields" flushOnTXEnd="on" asyncWriting="off")
`;
  const confFile = path.join(dir, 'rsyslog.conf');
  writeFileSync(confFile, config);
  const proc: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', confFile, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running) proc.kill('SIGTERM');
    const quit = await Promise.race([exited.then(() => true), delay(5000).then(() => false)]);
    if (!quit) {
      proc.kill('SIGKILL');
      await exited;
    }
  };

  const port = async (name: string) => {
    const file = path.join(dir, name);
    for (;;) {
      if (!running) throw new Error(`rsyslogd exited: ${stderr.trim()}`);
      const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
      if (/^\d+$/.test(text) && text !== '0') return Number(text);
      await delay(20);
    }
  };
  try {
    const [tcpPort, tlsPort] = [await port('tcp.port'), await port('tls.port')];
    const received = () => parse(existsSync(out) ? readFileSync(out, 'utf8') : '');
    return {
      tcpPort,
      tlsPort,
      udpPort,
      received,
      async waitFor(n) {
        for (;;) {
          const got = received();
          if (got.length >= n) return got;
          if (!running) throw new Error(`rsyslogd exited: ${stderr.trim()}`);
          await delay(20);
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function parse(text: string): Received[] {
  // Whole lines only: rsyslog may be writing the last one.
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [version = '', pri = '', timestamp = '', hostname = '', appName = '', procId = '', msgId = '', ...msg] = line.split('\t');
      return { version, pri: Number(pri), timestamp, hostname, appName, procId, msgId, msg: msg.join('\t') };
    });
}
