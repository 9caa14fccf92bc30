// `npm run demo`: starts the bundled simulator, runs b0s against it as a user would
// (list, show, replay, kill, stats, auth status), and stops the simulator. No Border0 account needed.
import { spawnSync } from 'node:child_process';
import { b0sBin as b0s, startSimProcess } from './sim-process.mjs';

const sim = await startSimProcess();
// The demo prints everything in one go: no pager stopping it half-way.
const env = { ...process.env, ...sim.env, B0S_PAGER: 'cat' };

function run(args, { capture = false } = {}) {
  if (!capture) process.stdout.write(`\n$ b0s ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [b0s, ...args], { env, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`b0s ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

try {
  console.log(`b0s demo against the bundled simulator at ${env.BORDER0_API}`);
  run(['list', '--page-size', '10']);
  const sessions = JSON.parse(run(['list', '--page-size', '100', '-o', 'json'], { capture: true }));
  const recorded = sessions.find((s) => s.session_type === 'ssh' && s.recordings?.length && s.end_time);
  const query = sessions.find((s) => s.session_type === 'database' && s.recordings?.length);
  const live = sessions.find((s) => !s.end_time && !s.killed && s.result === 'success');
  run(['list', '--since', '24h', '--result', 'denied', '--page-size', '50']);
  run(['show', recorded.session_id.slice(0, 8)]);
  run(['replay', `${recorded.socket_id}/${recorded.session_id}`]);
  if (query) run(['replay', query.session_id.slice(0, 8)]);
  if (live) run(['kill', live.socket_id, live.session_id, '--yes']);
  run(['list', '--all', '--limit', '3', '-o', 'ndjson']);
  run(['stats', 'users', '--top', '5']);
  run(['stats', 'activity', '--since', '12h']);
  run(['auth', 'status']);
  console.log('\nDemo finished: the simulator is stopping. Start your own with `npm run sim`.');
} finally {
  sim.stop();
}
