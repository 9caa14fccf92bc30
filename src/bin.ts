// The b0s bin's entry point. Scripts run `b0s --version` to see what is installed: it is
// answered here, before the program (commander, the commands) is loaded, so it costs
// little more than starting Node. Anything else is main.ts's.
import { VERSION } from './version';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${VERSION}\n`);
else void import('./main');
