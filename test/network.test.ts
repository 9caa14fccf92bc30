// TLS and proxies: b0s must work through what real networks put in the way.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b0s, recordOutput } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { CA_CERT, startProxy, startTlsFront } from './helpers/proxies';
import { useTempDir } from './helpers/tmp';

const { sim, env } = useSimulator({ sessions: 30 });
const tmp = useTempDir();
let tls: Awaited<ReturnType<typeof startTlsFront>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  tls = await startTlsFront(sim().url);
  proxy = await startProxy();
});
afterAll(async () => {
  await tls.close();
  await proxy.close();
});

function bin(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A home of its own, so nothing b0s might keep there lands outside the test's temp folder.
    const home = tmp('home');
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'b0s'), ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      recordOutput(Buffer.from(stdout), Buffer.from(stderr));
      resolve({ code, stdout, stderr });
    });
  });
}

describe('TLS', () => {
  it('an untrusted certificate is a TLS failure explained in words, exit 1', async () => {
    const r = await b0s(['list', '--retries', '0'], { env: { ...env(), BORDER0_API: tls.url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TLS failure talking to 127\.0\.0\.1:\d+ \(\w+\).*NODE_EXTRA_CA_CERTS/);
  });

  it('NODE_EXTRA_CA_CERTS makes that certificate trusted', async () => {
    const r = await bin(['list', '--page-size', '3', '-o', 'json'], { ...env(), BORDER0_API: tls.url, NODE_EXTRA_CA_CERTS: CA_CERT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
  });
});

describe('proxies', () => {
  it('a loopback API over plain http is reached directly: HTTP_PROXY and HTTPS_PROXY never see the token', async () => {
    proxy.seen.length = 0;
    sim().resetRequests();
    const r = await b0s(['list', '--page-size', '2', '-o', 'json'], { env: { ...env(), HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    expect(proxy.seen).toEqual([]);
    expect(sim().requests.length).toBeGreaterThan(0);
  });

  it('plain http to anywhere but loopback is refused before anything is sent, proxy or not, exit 2', async () => {
    proxy.seen.length = 0;
    const r = await b0s(['list'], { env: { ...env(), BORDER0_API: 'http://api.example.test/api/v1', HTTP_PROXY: proxy.url } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'b0s: refusing to send the token over plain http to api.example.test (from BORDER0_API); use https:// (http is allowed only to loopback addresses)',
    );
    expect(proxy.seen).toEqual([]);
  });

  it('HTTPS_PROXY tunnels to an https API (with NODE_EXTRA_CA_CERTS for its certificate)', async () => {
    proxy.seen.length = 0;
    const r = await bin(['list', '--page-size', '2', '-o', 'json'], { ...env(), BORDER0_API: tls.url, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CA_CERT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(proxy.seen[0]).toBe(`CONNECT 127.0.0.1:${new URL(tls.url).port}`);
  });

  it('HTTP_PROXY alone serves https too, through a tunnel; NO_PROXY sends matching hosts direct', async () => {
    proxy.seen.length = 0;
    const tunnelled = await bin(['list', '--page-size', '2', '-o', 'json'], { ...env(), BORDER0_API: tls.url, HTTP_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CA_CERT });
    expect(tunnelled.code).toBe(0);
    expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${new URL(tls.url).port}`]);
    proxy.seen.length = 0;
    const direct = await bin(['list', '--page-size', '2', '-o', 'json'], { ...env(), BORDER0_API: tls.url, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1', NODE_EXTRA_CA_CERTS: CA_CERT });
    expect(direct.code).toBe(0);
    expect(proxy.seen).toEqual([]);
  });

  it('a proxy that refuses connections is a network error, exit 1', async () => {
    const r = await b0s(['list', '--retries', '0'], { env: { ...env(), BORDER0_API: tls.url, HTTPS_PROXY: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
