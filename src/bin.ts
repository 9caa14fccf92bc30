// The b0s bin's entry point. Scripts run `b0s --version` to see what is installed: it is
// answered here, before the program (commander, the commands) is loaded, so it costs
// little more than starting Node. Anything else is main.ts's.
import { writeSync } from 'node:fs';
import path from 'node:path';
import { runKind } from './run-kind';
import { userDirs } from './user-dirs';
import { VERSION } from './version';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  try {
    writeSync(1, `${VERSION}\n`);
  } catch {
    // A closed pipe or a full disk: the program reports it, as it reports every failure.
    void startProgram();
  }
} else {
  void startProgram();
}

async function startProgram(): Promise<void> {
  const { homedir, userInfo } = await import('node:os');
  let home: string | undefined;
  try {
    // An empty HOME counts as none: the system's home for the user.
    home = homedir() || userInfo().homedir;
  } catch {
    // No HOME, and a user the system has no entry for (a container run as a bare UID).
  }
  // A relative HOME would be the current folder's: settings and a token read from
  // whatever folder b0s runs in.
  if (home === undefined || !path.isAbsolute(home)) {
    const why = home === undefined ? 'HOME is not set, and the system has no home for this user' : 'HOME is not an absolute path';
    try {
      writeSync(2, `b0s: cannot tell which folder is your home (${why}): set HOME to it\n`);
    } catch {
      // No stderr to say it on: the exit code still tells.
    }
    process.exitCode = 1;
    return;
  }
  const dirs = userDirs(process.env, home, process.platform);
  const kind = runKind(args);
  // Node's name for turning its own compile cache off turns b0s's off too. Help runs
  // little of the code it loads, and measured ~1.5 ms slower with a cache.
  const cache = process.env.NODE_DISABLE_COMPILE_CACHE !== undefined || kind === 'help' ? undefined : await import('./compile-cache');
  cache?.startCompileCache({ root: dirs.cache, codeDir: path.join(__dirname, 'chunks'), release: VERSION, kind });
  const save = cache?.saveCompileCache ?? (() => {});
  // A run that never changes a V8 flag keeps what it compiled as it ends, unless it ended
  // early (a usage error): the next run of its kind will run more.
  process.on('exit', (code) => code === 0 && save());
  const { main } = await import('./main');
  main({ homedir: home, dirs, beforeFlagChanges: save });
}
