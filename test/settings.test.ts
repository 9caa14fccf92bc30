// Settings and profiles: `b0s config`, the order in which a value is chosen (flag >
// environment > profile > default), and a home that cannot be written.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { b0s, type RunOptions } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { ANSI, tsvRows } from './helpers/parse';
import { useTempDir } from './helpers/tmp';

const { sim, env } = useSimulator({ sessions: 60 });
const tmp = useTempDir();

type Row = { key: string; value: string; source: string };

/** b0s with a config folder kept across runs (each test has its own). */
function withConfig() {
  const configDir = tmp('config');
  return { configDir, run: (argv: string[], opts: RunOptions = {}) => b0s(argv, { configDir, ...opts }) };
}

async function listed(run: ReturnType<typeof withConfig>['run'], argv: string[] = [], opts: RunOptions = {}): Promise<Map<string, Row>> {
  const r = await run(['config', 'list', '-o', 'json', ...argv], opts);
  expect(r.code, r.stderr).toBe(0);
  return new Map((JSON.parse(r.stdout) as Row[]).map((row) => [row.key, row]));
}

const pageSizes = () => sim().requests.filter((q) => q.path.endsWith('/sessions')).map((q) => q.query.page_size);

describe('b0s config', () => {
  it('set, get, unset: the value is saved in the profile and read back', async () => {
    const { run, configDir } = withConfig();
    const set = await run(['config', 'set', 'page-size', '50']);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('page-size = 50 in profile default');
    expect(JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'))).toEqual({ profiles: { default: { 'page-size': 50 } } });
    const get = await run(['config', 'get', 'page-size']);
    expect(get.stdout).toBe('50\n');
    expect((await run(['config', 'unset', 'page-size'])).code).toBe(0);
    expect((await run(['config', 'get', 'page-size'])).stdout).toBe('100\n');
  });

  it('list shows every value and its source: flag > environment > profile > default', async () => {
    const { run } = withConfig();
    await run(['config', 'set', 'retries', '2']);
    await run(['config', 'set', 'timeout', '12.5']);
    await run(['config', 'set', 'output', 'csv']);
    const rows = await listed(run, ['--retries', '7'], { env: { B0S_TIMEOUT: '9' } });
    expect(rows.get('retries')).toEqual({ key: 'retries', value: '7', source: '--retries' });
    expect(rows.get('timeout')).toEqual({ key: 'timeout', value: '9', source: 'B0S_TIMEOUT' });
    expect(rows.get('output')).toEqual({ key: 'output', value: 'csv', source: 'profile default' });
    expect(rows.get('page-size')).toEqual({ key: 'page-size', value: '100', source: 'default' });
    expect(rows.get('profile')).toEqual({ key: 'profile', value: 'default', source: 'default' });
  });

  it('list never shows the token, only where it comes from', async () => {
    const { run } = withConfig();
    const rows = await listed(run, [], { env: env() });
    expect(rows.get('token')).toEqual({ key: 'token', value: '******** (hidden)', source: 'BORDER0_ADMIN_TOKEN' });
    expect(rows.get('api-url')).toEqual({ key: 'api-url', value: sim().url, source: 'BORDER0_API' });
  });

  it('a piped list is key, value and source separated by tabs', async () => {
    const { run } = withConfig();
    const r = await run(['config', 'list']);
    const rows = tsvRows(r.stdout);
    expect(rows[0]).toEqual(['profile', 'default', 'default']);
    expect(rows.every((row) => row.length === 3)).toBe(true);
  });

  const refusals: Array<[string[], RegExp]> = [
    [['config', 'set', 'colour', 'never'], /unknown setting "colour"; settings are: api-url, token-file, output, page-size, concurrency, color, retries, timeout, time-zone/],
    [['config', 'get', 'token'], /unknown setting "token" \(the token itself is never stored/],
    [['config', 'set', 'page-size', '5000'], /page-size must be from 1 to 1,000, got 5000/],
    [['config', 'set', 'output', 'xml'], /output must be one of table, json, ndjson, csv, got "xml"/],
    [['config', 'set', 'color', 'sometimes'], /color must be one of auto, always, never/],
    [['config', 'set', 'time-zone', 'Mars/Olympus'], /time-zone must be UTC, local or a time zone name such as Europe\/Berlin/],
    [['config', 'set', 'api-url', 'ftp://example.com'], /api-url must be an http\(s\) URL/],
    [['--profile', 'a b', 'config', 'list'], /--profile must be a profile name of letters, digits, - and _/],
  ];
  for (const [argv, message] of refusals) {
    it(`refuses ${argv.join(' ')} (exit 2, nothing saved)`, async () => {
      const { run, configDir } = withConfig();
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(() => readFileSync(path.join(configDir, 'config.json'))).toThrow();
    });
  }

  it('a hand-edited bad value is refused naming the profile and the file (exit 2)', async () => {
    const { run, configDir } = withConfig();
    await run(['config', 'set', 'retries', '1']);
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ profiles: { default: { retries: 99 } } }));
    const r = await run(['list'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/retries in profile default \(.*config\.json\) must be from 0 to 20, got 99/);
  });

  it('a settings file that is not JSON is one line, exit 1', async () => {
    const { run, configDir } = withConfig();
    await run(['config', 'set', 'retries', '1']);
    writeFileSync(path.join(configDir, 'config.json'), '{"profiles": ');
    const r = await run(['config', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read the settings in .*config\.json: it is not valid JSON \(fix or remove the file\)/);
  });
});

describe('settings at work', () => {
  it('page size: the profile, then the environment, then the flag wins', async () => {
    const { run } = withConfig();
    await run(['config', 'set', 'page-size', '7']);
    sim().resetRequests();
    expect((await run(['list', '-o', 'json'], { env: env() })).code).toBe(0);
    expect((await run(['list', '-o', 'json'], { env: { ...env(), B0S_PAGE_SIZE: '9' } })).code).toBe(0);
    expect((await run(['list', '-o', 'json', '--page-size', '3'], { env: { ...env(), B0S_PAGE_SIZE: '9' } })).code).toBe(0);
    expect(pageSizes()).toEqual(['7', '9', '3']);
  });

  it('page size: export and search walk with the setting too, and their flag wins (the first page asked for shows it; the walker aims later ones)', async () => {
    const { run } = withConfig();
    await run(['config', 'set', 'page-size', '7']);
    const checkpoint = path.join(tmp('export'), 'checkpoint.json');
    sim().resetRequests();
    expect((await run(['export', '--checkpoint', checkpoint, '--since', '30d'], { env: env() })).code).toBe(0);
    expect(pageSizes()[0]).toBe('7');
    sim().resetRequests();
    expect((await run(['export', '--checkpoint', checkpoint, '--reset', '--since', '30d', '--page-size', '5'], { env: env() })).code).toBe(0);
    expect(pageSizes()[0]).toBe('5');
    sim().resetRequests();
    // Nothing matches (exit 1); the walk still shows the page size it used.
    const search = await run(['search', 'no-such-text-anywhere', '--limit', '20'], { env: { ...env(), B0S_PAGE_SIZE: '4' } });
    expect(search.stderr).toBe('');
    expect(search.code).toBe(1);
    expect(pageSizes()[0]).toBe('4');
  });

  it('output: the profile picks the format when no -o is given, and only among the formats a command has', async () => {
    const { run } = withConfig();
    await run(['config', 'set', 'output', 'ndjson']);
    const list = await run(['list', '--page-size', '3'], { env: env() });
    expect(list.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { session_id: string }).session_id)).toHaveLength(3);
    const table = await run(['list', '--page-size', '3', '-o', 'table'], { env: env() });
    expect(tsvRows(table.stdout)[0]).toHaveLength(9);
  });

  it('colour: a profile\'s `never` and `always`, and NO_COLOR over the profile', async () => {
    const { run } = withConfig();
    await run(['config', 'set', 'color', 'always']);
    const forced = await run(['list', '--page-size', '20'], { env: env() });
    expect(forced.stdout).toMatch(ANSI);
    const off = await run(['list', '--page-size', '20'], { env: { ...env(), NO_COLOR: '1' } });
    expect(off.stdout).not.toMatch(ANSI);
    await run(['config', 'set', 'color', 'never']);
    const tty = await run(['list', '--page-size', '20'], { env: env(), tty: { stdout: true } });
    expect(tty.stdout).not.toMatch(ANSI);
  });

  it('profiles: each with its own API URL; --profile and B0S_PROFILE choose; --debug says which', async () => {
    const { run } = withConfig();
    expect((await run(['config', 'set', '--profile', 'sim', 'api-url', sim().url])).code).toBe(0);
    expect((await run(['config', 'set', 'api-url', 'http://127.0.0.1:9/api/v1'])).code).toBe(0);
    const token = { BORDER0_ADMIN_TOKEN: sim().token };
    const byFlag = await run(['--profile', 'sim', 'list', '--page-size', '2', '-o', 'json', '--debug'], { env: token });
    expect(byFlag.code).toBe(0);
    expect(byFlag.stderr).toContain('[debug] profile sim (from --profile');
    expect(byFlag.stderr).toContain(`API ${sim().url}`);
    expect(byFlag.stderr).toContain('(from profile sim)');
    const byEnv = await run(['list', '--page-size', '2', '-o', 'json'], { env: { ...token, B0S_PROFILE: 'sim' } });
    expect(byEnv.code).toBe(0);
    // The default profile points at a closed port.
    const byDefault = await run(['list', '--page-size', '2', '--retries', '0'], { env: token });
    expect(byDefault.code).toBe(1);
    const rows = await listed(run, ['--profile', 'sim']);
    expect(rows.get('api-url')).toEqual({ key: 'api-url', value: sim().url, source: 'profile sim' });
    expect(rows.get('profile')).toEqual({ key: 'profile', value: 'sim', source: '--profile' });
  });

  it('a profile that does not exist is refused, listing those that do (exit 2)', async () => {
    const { run } = withConfig();
    await run(['config', 'set', '--profile', 'eu', 'retries', '1']);
    const r = await run(['list'], { env: { ...env(), B0S_PROFILE: 'us' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no profile "us" \(from B0S_PROFILE\) in .*; profiles: eu; create it with b0s config set --profile us KEY VALUE/);
  });

  it('a profile named like a property every JavaScript object has (toString, constructor) exists only if saved', async () => {
    const { run } = withConfig();
    await run(['config', 'set', '--profile', 'eu', 'retries', '1']);
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const r = await run(['list'], { env: { ...env(), B0S_PROFILE: name } });
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`no profile "${name}"`);
      expect((await run(['--profile', name, 'config', 'list'])).code, name).toBe(2);
    }
    // Saved, it is a profile like any other.
    expect((await run(['config', 'set', '--profile', 'toString', 'page-size', '3'])).code).toBe(0);
    expect((await run(['--profile', 'toString', 'config', 'get', 'page-size'])).stdout).toBe('3\n');
  });

  it('a profile\'s token-file is read when neither --token-file nor BORDER0_ADMIN_TOKEN is given', async () => {
    const { run } = withConfig();
    const file = path.join(tmp('token'), 'token');
    writeFileSync(file, sim().token, { mode: 0o600 });
    await run(['config', 'set', 'token-file', file]);
    const r = await run(['list', '--page-size', '1', '-o', 'json', '--debug'], { env: { BORDER0_API: sim().url } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`token from token file ${file}`);
  });
});

describe('a home that cannot be written', () => {
  // A folder under a regular file cannot be created, even by root.
  function unwritable(): string {
    const file = path.join(tmp('home'), 'a-file');
    writeFileSync(file, '');
    return path.join(file, 'b0s');
  }

  it('--help, config list and list work; config set fails with one line (exit 1)', async () => {
    const configDir = unwritable();
    const home = path.dirname(configDir);
    expect((await b0s(['--help'], { configDir, homedir: home })).code).toBe(0);
    const list = await b0s(['config', 'list'], { configDir, homedir: home });
    expect(list.code).toBe(0);
    expect(tsvRows(list.stdout).find((r) => r[0] === 'page-size')).toEqual(['page-size', '100', 'default']);
    expect((await b0s(['list', '--page-size', '2', '-o', 'json'], { configDir, homedir: home, env: env() })).code).toBe(0);
    const set = await b0s(['config', 'set', 'page-size', '5'], { configDir, homedir: home });
    expect(set.code).toBe(1);
    expect(set.stderr.trim()).toMatch(/^b0s: cannot save the settings in .*config\.json: (ENOTDIR|EEXIST|EACCES)$/);
  });
});
