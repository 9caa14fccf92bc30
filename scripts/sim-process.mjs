// Starts bin/b0s-sim as a child process and resolves once it prints where it listens.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const b0sBin = path.join(root, 'bin', 'b0s');

/**
 * `command`: the simulator to run, by default this checkout's; the package check runs the
 * one installed from the tarball.
 * @returns {Promise<{ env: Record<string, string>, stop: () => void }>}
 */
export async function startSimProcess(args = [], command = [process.execPath, path.join(root, 'bin', 'b0s-sim')]) {
  const sim = spawn(command[0], [...command.slice(1), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const banner = await new Promise((resolve, reject) => {
    let text = '';
    sim.stdout.on('data', (d) => {
      text += d;
      if (/BORDER0_ADMIN_TOKEN=\S+/.test(text)) resolve(text);
    });
    sim.on('exit', (code) => reject(new Error(`b0s-sim exited (${code}) before it was ready`)));
  });
  return {
    env: {
      BORDER0_API: /BORDER0_API=(\S+)/.exec(banner)[1],
      BORDER0_ADMIN_TOKEN: /BORDER0_ADMIN_TOKEN=(\S+)/.exec(banner)[1],
    },
    stop: () => sim.kill('SIGTERM'),
  };
}
