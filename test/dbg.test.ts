import { it } from 'vitest';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { stripAnsi } from './helpers/parse';
const { env } = useSimulator({ sessions: 300 });
it('dbg', async () => {
  for (const [c, a] of [[110, []], [52, []], [80, ['--wide']]] as const) {
    const r = await b0s(['list', '--page-size', '40', ...a], { env: env(), tty: { stdout: true, stderr: true }, columns: c });
    console.log(stripAnsi(r.stdout), stripAnsi(r.stderr));
  }
});
