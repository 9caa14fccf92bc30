// Remembers what terminal output just showed: the sessions of a table by their short
// IDs, so that the short form typed next (`b0s show e1f3464d`) resolves at once instead
// of reading through the most recent sessions again; and the socket names and user
// emails seen, which shell completion offers (it never makes a request itself). Only a
// shortcut: every session hit is checked by fetching it, completion ignores what is
// older than a day, and any failure here (read-only home, corrupt file) is ignored.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Session } from './api/types';
import { loadConf } from './conf';
import { textOf } from './text';

export interface RecentEntry {
  sessionId: string;
  socketId: string;
  socketName?: string;
  userEmail?: string;
}

/** What completion may offer for one API: what terminal output showed in the last day. */
export interface CompletionValues {
  sessions: RecentEntry[];
  sockets: string[];
  users: string[];
}

export interface RecentSessions {
  remember(api: string, sessions: readonly Session[]): Promise<void>;
  /** Socket names and user emails a terminal showed (stats), for completion. */
  rememberNames(api: string, names: { sockets?: readonly string[]; users?: readonly string[] }): Promise<void>;
  /** Entries of the same API whose session ID starts with `prefix`. */
  find(api: string, prefix: string): Promise<RecentEntry[]>;
  /** The name a table showed for this socket: the detail endpoint does not give it. */
  socketName(api: string, socketId: string): Promise<string | undefined>;
  completionValues(api: string): Promise<CompletionValues>;
}

interface Stored {
  api: string;
  savedAt?: number;
  sessions: Array<[sessionId: string, socketId: string, socketName: string, userEmail?: string]>;
}

interface StoredNames {
  api: string;
  savedAt: number;
  sockets: string[];
  users: string[];
}

interface RecentFile {
  recent?: Stored;
  names?: StoredNames;
}

export const RECENT_LIMIT = 1000;
/** Names kept for completion, most recently seen first. */
export const NAMES_LIMIT = 500;
/** Completion offers what was seen in the last day only: sessions end, sockets are renamed. */
export const COMPLETION_TTL_MS = 24 * 3_600_000;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** The newest first, each once, at most `limit`. */
function merged(newer: readonly string[], older: readonly string[], limit: number): string[] {
  return [...new Set([...newer, ...older])].slice(0, limit);
}

export function recentSessions(dir: string, debug: (line: string) => void, now: () => number = Date.now): RecentSessions {
  // conf creates its folder in its constructor and throws if it cannot: only build it
  // when needed, and never let it fail a command.
  const open = async () => {
    const Conf = await loadConf();
    return new Conf<RecentFile>({ cwd: dir, configName: 'recent', projectName: 'b0s', projectSuffix: '', clearInvalidConfig: true });
  };
  // Read once per run: `kill` with several sessions asks for each of them.
  let stored: Promise<RecentFile> | undefined;
  const load = async (): Promise<RecentFile> => {
    // Reading must not create the folder, which conf would do.
    if (!existsSync(path.join(dir, 'recent.json'))) return {};
    try {
      return (await open()).store;
    } catch (err) {
      debug(`could not read the remembered sessions in ${dir}: ${(err as Error).message}`);
      return {};
    }
  };
  const entries = async (api: string): Promise<RecentEntry[]> => {
    const recent = (await (stored ??= load())).recent;
    if (recent?.api !== api || !Array.isArray(recent.sessions)) return [];
    return recent.sessions
      .filter((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string')
      .map(([sessionId, socketId, socketName, userEmail]) => ({ sessionId, socketId, socketName: socketName || undefined, userEmail: userEmail || undefined }));
  };
  const save = async (what: string, change: (store: Awaited<ReturnType<typeof open>>) => void) => {
    try {
      const store = await open();
      stored = undefined;
      change(store);
    } catch (err) {
      debug(`could not remember the ${what} in ${dir}: ${(err as Error).message}`);
    }
  };
  const addNames = (store: Awaited<ReturnType<typeof open>>, api: string, names: { sockets?: readonly string[]; users?: readonly string[] }) => {
    const old = store.get('names');
    const fresh = old?.api === api && typeof old.savedAt === 'number' && now() - old.savedAt < COMPLETION_TTL_MS;
    store.set('names', {
      api,
      savedAt: now(),
      sockets: merged(strings(names.sockets), fresh ? strings(old.sockets) : [], NAMES_LIMIT),
      users: merged(strings(names.users), fresh ? strings(old.users) : [], NAMES_LIMIT),
    });
  };
  return {
    async remember(api, sessions) {
      const kept = sessions.slice(0, RECENT_LIMIT);
      await save('listed sessions', (store) => {
        store.set('recent', {
          api,
          savedAt: now(),
          sessions: kept.map((s) => [textOf(s.session_id), textOf(s.socket_id), textOf(s.socket_name), textOf(s.user_email)]),
        });
        addNames(store, api, { sockets: kept.map((s) => textOf(s.socket_name)), users: kept.map((s) => textOf(s.user_email)) });
      });
    },
    async rememberNames(api, names) {
      await save('names', (store) => addNames(store, api, names));
    },
    async find(api, prefix) {
      return (await entries(api)).filter((e) => e.sessionId.toLowerCase().startsWith(prefix));
    },
    async socketName(api, socketId) {
      return (await entries(api)).find((e) => e.socketId === socketId && e.socketName)?.socketName;
    },
    async completionValues(api) {
      const file = await (stored ??= load());
      const fresh = (savedAt: unknown) => typeof savedAt === 'number' && now() - savedAt < COMPLETION_TTL_MS;
      const names = file.names?.api === api && fresh(file.names.savedAt) ? file.names : undefined;
      return {
        sessions: fresh(file.recent?.savedAt) ? await entries(api) : [],
        sockets: strings(names?.sockets),
        users: strings(names?.users),
      };
    },
  };
}
