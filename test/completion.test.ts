// Shell completion: `b0s __complete` offers commands, flags, flag values and what
// terminal output recently showed, without a token or a request; the bash script loads
// and its function returns those words; the zsh and fish scripts parse (those two are
// skipped where the shell is not installed: CI need not have them).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { b0s, recordOutput, type RunOptions } from './helpers/world';
import { SIM_NOW, useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';

const { sim, env } = useSimulator({ sessions: 50 });
const tmp = useTempDir();
const ROOT = path.join(__dirname, '..');

/** The words offered at the end of `line` (the word being typed is the last, maybe empty). */
async function offered(line: string, opts: RunOptions = {}): Promise<string[]> {
  const r = await b0s(['__complete', '--', ...line.split(' ')], opts);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout === '' ? [] : r.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0] as string);
}

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

describe('b0s __complete', () => {
  it('commands, subcommands and flags, from the command tree; never the hidden one', async () => {
    expect(await offered('')).toEqual(expect.arrayContaining(['list', 'show', 'replay', 'kill', 'stats', 'config', 'auth', 'completion']));
    expect(await offered('')).not.toContain('__complete');
    expect(await offered('s')).toEqual(['show', 'search', 'stats']);
    expect(await offered('config ')).toEqual(['list', 'get', 'set', 'unset']);
    expect(await offered('list --s')).toEqual(['--socket', '--status', '--since']);
    // Global flags too, after the command.
    expect(await offered('kill --pro')).toEqual(['--profile']);
  });

  it('flag values: formats per command, statuses, types, results, stats kinds, settings and their values', async () => {
    expect(await offered('list -o ')).toEqual(['table', 'json', 'ndjson', 'csv']);
    expect(await offered('show --output ')).toEqual(['table', 'json']);
    expect(await offered('stats users -o c')).toEqual(['chart', 'csv']);
    expect(await offered('list --status ')).toEqual(['live', 'ended', 'killed', 'denied']);
    expect(await offered('kill --type s')).toEqual(['ssh', 'snowflake']);
    expect(await offered('list --result ')).toEqual(['success', 'denied']);
    expect(await offered('stats ')).toEqual(['users', 'sockets', 'locations', 'activity']);
    expect(await offered('completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(await offered('config get page')).toEqual(['page-size']);
    expect(await offered('config set color ')).toEqual(['auto', 'always', 'never']);
    // Each command's own values, from the parsers that check them.
    expect(await offered('search -o ')).toEqual(['text', 'ndjson', 'json']);
    expect(await offered('export --format ')).toEqual(['native', 'ecs', 'ocsf']);
    expect(await offered('replay --format ')).toEqual(['text', 'asciicast', 'json', 'raw']);
    expect(await offered('replay --cast-version ')).toEqual(['2', '3']);
    expect(await offered('stats activity --by ')).toEqual(['hour', 'day']);
    // --columns: the columns of the format given, less those already named.
    expect(await offered('list --columns user,st')).toEqual(['user,started', 'user,status']);
    expect(await offered('list -o csv --columns user_email,st')).toEqual(['user_email,start_time', 'user_email,status']);
    expect(await offered('list -o CSV --columns user_email,st')).toEqual(['user_email,start_time', 'user_email,status']);
    expect(await offered('list --output=csv --columns status,s')).toEqual(['status,session_id', 'status,socket_id', 'status,socket_name', 'status,start_time', 'status,session_type', 'status,server_name', 'status,server_port']);
    expect(await offered('list --columns started,user,')).not.toContain('started,user,started');
    expect(await offered('--token-file ')).toEqual([':files']);
  });

  it('profiles from the settings file', async () => {
    const configDir = tmp('config');
    await b0s(['config', 'set', '--profile', 'eu', 'retries', '1'], { configDir });
    expect(await offered('--profile ', { configDir })).toEqual(['default', 'eu']);
  });

  it('sockets, users and session IDs that a terminal showed in the last day; no token, no request', async () => {
    const configDir = tmp('config');
    const listed = await b0s(['list', '--page-size', '20'], { env: env(), tty: { stdout: true }, configDir, now: SIM_NOW });
    expect(listed.code).toBe(0);
    const shown = Array.from({ length: 20 }, (_, i) => sim().sessionAt(i));
    sim().resetRequests();
    // Only where to find the API: no token.
    const opts = { env: { BORDER0_API: env().BORDER0_API }, configDir, now: SIM_NOW + 3_600_000 };
    expect((await offered('list --socket ', opts)).sort()).toEqual([...new Set(shown.map((s) => s.socket_name as string))].sort());
    expect(await offered('kill --user mal', opts)).toEqual(shown.some((s) => s.user_email === 'mallory@example.net') ? ['mallory@example.net'] : []);
    expect(await offered('show ', opts)).toEqual(shown.map((s) => s.session_id.slice(0, 8)));
    expect(sim().requests).toHaveLength(0);
    // A day later, or for another API, nothing is offered.
    expect(await offered('show ', { ...opts, now: SIM_NOW + 25 * 3_600_000 })).toEqual([]);
    expect(await offered('show ', { ...opts, env: { BORDER0_API: 'https://api.example.com/api/v1' } })).toEqual([]);
  });
});

describe('the completion scripts', () => {
  /** A `b0s` on PATH that runs this checkout's build, and the script for `shell`. */
  function install(shell: 'bash' | 'zsh' | 'fish'): { script: string; env: NodeJS.ProcessEnv } {
    if (!existsSync(path.join(ROOT, 'dist', 'b0s.cjs'))) throw new Error('dist/b0s.cjs is missing: run `npm run build` (npm test does)');
    const dir = tmp(shell);
    const bin = path.join(dir, 'b0s');
    writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'b0s')}" "$@"\n`);
    chmodSync(bin, 0o755);
    const script = path.join(dir, `b0s.${shell}`);
    const env = { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config'), TMPDIR: process.env.TMPDIR ?? '/tmp' };
    writeFileSync(script, execFileSync(bin, ['completion', shell], { env }));
    return { script, env };
  }

  it('bash: the script loads, and its function returns the expected words', () => {
    const { script, env: shellEnv } = install('bash');
    const completeLine = (line: string) => {
      const out = execFileSync('bash', ['-c', `source "$1"; COMP_LINE="$2"; COMP_POINT=\${#COMP_LINE}; _b0s_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', script, line], { env: shellEnv }).toString();
      recordOutput(Buffer.from(out));
      return out.trimEnd().split('\n');
    };
    expect(completeLine('b0s li')).toEqual(['list']);
    expect(completeLine('b0s list --status ')).toEqual(['live', 'ended', 'killed', 'denied']);
    expect(completeLine('b0s --no-color stats users -o j')).toEqual(['json']);
    expect(execFileSync('bash', ['-c', 'source "$1"; complete -p b0s', 'bash', script], { env: shellEnv }).toString()).toContain('-F _b0s_complete b0s');
  });

  it.skipIf(!has('zsh'))('zsh: the script parses (skipped without zsh)', () => {
    const { script } = install('zsh');
    expect(spawnSync('zsh', ['-n', script]).status).toBe(0);
  });

  it.skipIf(!has('fish'))('fish: the script parses, and completes (skipped without fish)', () => {
    const { script, env: shellEnv } = install('fish');
    expect(spawnSync('fish', ['--no-execute', script]).status).toBe(0);
    const out = execFileSync('fish', ['-c', `source ${script}; complete -C 'b0s list --result '`], { env: shellEnv }).toString();
    recordOutput(Buffer.from(out));
    expect(out.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual(['denied', 'success']);
  });
});
