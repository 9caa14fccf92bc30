// `b0s __complete -- WORDS...`: the candidates at the cursor, one per line. Run on every
// TAB, so it reads only local files, makes no request, and never fails loudly: a problem
// (a bad setting, an unreadable file) means fewer candidates, not an error in the prompt.
import type { Command } from 'commander';
import { parseApiUrl } from '../config';
import { inlineText } from '../text';
import { recentSessions } from '../recent';
import { resolveSettings } from '../settings';
import { DEFAULT_PROFILE, readSettings } from '../settings/store';
import type { World } from '../world';
import { complete, FILES, type CompletionSources } from './complete';

/** The value after `flag` among the words, as the command being typed would use it. */
function flagValue(words: readonly string[], flag: string): string | undefined {
  const i = words.lastIndexOf(flag);
  return i >= 0 ? words[i + 1] : undefined;
}

function sources(words: readonly string[], world: World): CompletionSources {
  const none = { sessions: [], sockets: [], users: [] };
  return {
    async recent() {
      try {
        const settings = resolveSettings({
          flags: { profile: flagValue(words, '--profile'), apiUrl: flagValue(words, '--api-url') },
          env: world.env,
          configDir: world.configDir,
          homedir: world.homedir,
          platform: world.platform,
        });
        const api = parseApiUrl(settings['api-url'].value, settings['api-url'].source).href;
        return await recentSessions(world.configDir, () => {}, world.now).completionValues(api);
      } catch {
        return none;
      }
    },
    profiles() {
      try {
        return [...new Set([DEFAULT_PROFILE, ...Object.keys(readSettings(world.configDir).profiles)])];
      } catch {
        return [DEFAULT_PROFILE];
      }
    },
  };
}

export async function runComplete(program: Command, words: readonly string[], world: World): Promise<void> {
  let out: string;
  try {
    const found = await complete(program, words.length ? words : [''], sources(words, world));
    // Words and descriptions are one line each, and inert: some come from the server.
    out = found === FILES ? `${FILES}\n` : found.map((c) => `${inlineText(c.word)}${c.description ? `\t${inlineText(c.description)}` : ''}\n`).join('');
  } catch {
    out = '';
  }
  world.stdout.write(out);
}
