// The platform's usual places for what b0s keeps per user.
import path from 'node:path';
import type { Env } from './world';

export interface UserDirs {
  /** Settings (config.json) and the names a terminal showed. */
  config: string;
  /** What a program keeps between runs that is not a setting: export checkpoints. */
  state: string;
  /** What b0s can rebuild at any time: compiled code (src/compile-cache.ts). */
  cache: string;
}

export function userDirs(env: Env, home: string, platform: NodeJS.Platform): UserDirs {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
    return {
      config: path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'b0s'),
      state: path.join(local, 'b0s', 'state'),
      cache: path.join(local, 'b0s', 'cache'),
    };
  }
  if (platform === 'darwin') {
    return {
      config: path.join(home, 'Library', 'Preferences', 'b0s'),
      state: path.join(home, 'Library', 'Application Support', 'b0s'),
      cache: path.join(home, 'Library', 'Caches', 'b0s'),
    };
  }
  return {
    config: path.join(xdg(env.XDG_CONFIG_HOME) ?? path.join(home, '.config'), 'b0s'),
    state: path.join(xdg(env.XDG_STATE_HOME) ?? path.join(home, '.local', 'state'), 'b0s'),
    cache: path.join(xdg(env.XDG_CACHE_HOME) ?? path.join(home, '.cache'), 'b0s'),
  };
}

/** The XDG Base Directory spec: an empty or relative value is ignored. */
function xdg(value: string | undefined): string | undefined {
  return value && path.isAbsolute(value) ? value : undefined;
}
