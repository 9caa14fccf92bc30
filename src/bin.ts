// The b0s bin's entry point. Scripts run `b0s --version` to see what is installed: it is
// answered here, before the program (commander, the commands) is loaded, so it costs
// little more than starting Node. Anything else is main.ts's.
import { writeSync } from 'node:fs';
import { VERSION } from './version';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  try {
    writeSync(1, `${VERSION}\n`);
  } catch {
    // A closed pipe or a full disk: the program reports it, as it reports every failure.
    void import('./main');
  }
} else {
  void import('./main');
}
