// Remembers the sessions a terminal table just showed by their short IDs, so that the
// short form typed next (`b0s show e1f3464d`) resolves at once instead of reading
// through the most recent sessions again. Only a shortcut: every hit is checked by
// fetching the session, and any failure here (read-only home, corrupt file) is ignored.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Session } from './api/types';
import { textOf } from './output/sanitize';

export interface RecentEntry {
  sessionId: string;
  socketId: string;
  socketName?: string;
}

export interface RecentSessions {
  remember(api: string, sessions: readonly Session[]): Promise<void>;
  /** Entries of the same API whose session ID starts with `prefix`. */
  find(api: string, prefix: string): Promise<RecentEntry[]>;
  /** The name a table showed for this socket: the detail endpoint does not give it. */
  socketName(api: string, socketId: string): Promise<string | undefined>;
}

interface Stored {
  api: string;
  sessions: Array<[sessionId: string, socketId: string, socketName: string]>;
}

export const RECENT_LIMIT = 1000;

export function recentSessions(dir: string, debug: (line: string) => void): RecentSessions {
  // conf creates its folder in its constructor and throws if it cannot: only build it
  // when needed, and never let it fail a command.
  const open = async () => {
    const { default: Conf } = await import('conf');
    return new Conf<{ recent?: Stored }>({ cwd: dir, configName: 'recent', projectName: 'b0s', projectSuffix: '', clearInvalidConfig: true });
  };
  // Read once per run: `kill` with several sessions asks for each of them.
  let stored: Promise<Stored | undefined> | undefined;
  const load = async (): Promise<Stored | undefined> => {
    // Reading must not create the folder, which conf would do.
    if (!existsSync(path.join(dir, 'recent.json'))) return undefined;
    try {
      return (await open()).get('recent');
    } catch (err) {
      debug(`could not read the remembered sessions in ${dir}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const entries = async (api: string): Promise<RecentEntry[]> => {
    const recent = await (stored ??= load());
    if (recent?.api !== api || !Array.isArray(recent.sessions)) return [];
    return recent.sessions
      .filter((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string')
      .map(([sessionId, socketId, socketName]) => ({ sessionId, socketId, socketName: socketName || undefined }));
  };
  return {
    async remember(api, sessions) {
      try {
        const store = await open();
        stored = undefined;
        store.set('recent', {
          api,
          sessions: sessions.slice(0, RECENT_LIMIT).map((s) => [textOf(s.session_id), textOf(s.socket_id), textOf(s.socket_name)]),
        });
      } catch (err) {
        debug(`could not remember the listed sessions in ${dir}: ${(err as Error).message}`);
      }
    },
    async find(api, prefix) {
      return (await entries(api)).filter((e) => e.sessionId.toLowerCase().startsWith(prefix));
    },
    async socketName(api, socketId) {
      return (await entries(api)).find((e) => e.socketId === socketId && e.socketName)?.socketName;
    },
  };
}
