// Long terminal output goes through a pager ($B0S_PAGER, $PAGER, or less -FRX), never
// when piped nor with --no-pager. The pager here is a script that records what it gets.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pagerCommand } from '../src/pager';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { parseTable, tsvRows } from './helpers/parse';
import { useTempDir } from './helpers/tmp';

const { sim, env } = useSimulator({ sessions: 600 });
const tmp = useTempDir();

/** A pager that saves its input and its LESS variable; `keep` lines only, then quits, when given. */
function fakePager(keep?: number): { command: string; paged: string; less: string } {
  const dir = tmp('pager');
  const paged = path.join(dir, 'paged');
  const less = path.join(dir, 'less-env');
  const script = path.join(dir, 'pager.sh');
  writeFileSync(script, `#!/bin/sh\nprintf '%s' "$LESS" > '${less}'\n${keep ? `head -n ${keep}` : 'cat'} > '${paged}'\n`);
  chmodSync(script, 0o755);
  return { command: script, paged, less };
}

const terminal = { tty: { stdout: true, stderr: true }, columns: 120, pager: true } as const;
const withPager = (command: string) => ({ ...env(), PATH: process.env.PATH ?? '', PAGER: command });

describe('the pager', () => {
  it('a terminal table goes through $PAGER, footer included, with LESS=FRX', async () => {
    const p = fakePager();
    const r = await b0s(['list', '--page-size', '200'], { ...terminal, env: withPager(p.command) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const paged = readFileSync(p.paged, 'utf8');
    const table = parseTable(paged.split('\n').slice(0, 201).join('\n'));
    expect(table.headers[0]).toBe('STARTED');
    expect(table.rows.map((row) => row.ID)).toEqual(Array.from({ length: 200 }, (_, i) => sim().sessionAt(i).session_id.slice(0, 8)));
    expect(paged).toContain('page 1 of 3');
    expect(readFileSync(p.less, 'utf8')).toBe('FRX');
  });

  it('B0S_PAGER wins over PAGER; stats charts are paged too', async () => {
    const p = fakePager();
    const r = await b0s(['stats', 'users'], { ...terminal, env: { ...withPager('false'), B0S_PAGER: p.command } });
    expect(r.code).toBe(0);
    expect(readFileSync(p.paged, 'utf8')).toContain('█');
  });

  it('--no-pager, a pipe, and PAGER=cat: no pager', async () => {
    const p = fakePager();
    const off = await b0s(['list', '--page-size', '50', '--no-pager'], { ...terminal, env: withPager(p.command) });
    expect(parseTable(off.stdout).rows).toHaveLength(50);
    const piped = await b0s(['list', '--page-size', '50'], { pager: true, env: withPager(p.command) });
    expect(tsvRows(piped.stdout)).toHaveLength(50);
    const cat = await b0s(['list', '--page-size', '50'], { ...terminal, env: withPager('cat') });
    expect(parseTable(cat.stdout).rows).toHaveLength(50);
    expect(existsSync(p.paged)).toBe(false);
  });

  it('quitting the pager early is a quiet exit 0', async () => {
    const p = fakePager(3);
    const r = await b0s(['list', '--all', '--page-size', '100'], { ...terminal, env: withPager(p.command) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(readFileSync(p.paged, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('which pager: B0S_PAGER, PAGER, less -FRX where less is installed; empty or cat for none', () => {
    const bin = tmp('bin');
    writeFileSync(path.join(bin, 'less'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'less'), 0o755);
    expect(pagerCommand({ PATH: bin })).toBe('less -FRX');
    expect(pagerCommand({ PATH: tmp('empty') })).toBeUndefined();
    expect(pagerCommand({ PAGER: 'more' })).toBe('more');
    expect(pagerCommand({ PAGER: 'more', B0S_PAGER: 'most' })).toBe('most');
    expect(pagerCommand({ PAGER: '' })).toBeUndefined();
    expect(pagerCommand({ B0S_PAGER: 'cat', PAGER: 'less' })).toBeUndefined();
  });
});
