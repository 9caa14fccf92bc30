// The settings file: profiles, each a set of settings, in <config dir>/config.json.
// Reading never creates anything (a read-only or missing home must not stop a command);
// writing goes through conf, built only then, because its constructor creates the
// folder and throws when it cannot.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConf } from '../conf';
import { FileError, UsageError } from '../errors';
import { inlineText } from '../text';

export type ProfileValues = Record<string, unknown>;

export interface StoredSettings {
  profiles: Record<string, ProfileValues>;
}

export const DEFAULT_PROFILE = 'default';
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function settingsFile(configDir: string): string {
  return path.join(configDir, 'config.json');
}

export function checkProfileName(name: string, source: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`${source} must be a profile name of letters, digits, - and _ (at most 64), got "${inlineText(name)}"`);
  }
  return name;
}

/** What the file holds; no file is no settings. */
export function readSettings(configDir: string): StoredSettings {
  const file = settingsFile(configDir);
  if (!existsSync(file)) return { profiles: byName({}) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new FileError(`cannot read the settings in ${file}: ${why} (fix or remove the file)`, { cause: err });
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (profiles === undefined) return { profiles: byName({}) };
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles) || Object.values(profiles).some((p) => typeof p !== 'object' || p === null || Array.isArray(p))) {
    throw new FileError(`cannot read the settings in ${file}: "profiles" must map names to objects of settings (fix or remove the file)`);
  }
  return { profiles: byName(profiles as Record<string, ProfileValues>) };
}

/**
 * Profiles looked up by name hold only the file's own: with a plain object, a profile
 * named `toString` or `constructor` would be found on every one (Object.prototype's).
 */
function byName(profiles: Record<string, ProfileValues>): Record<string, ProfileValues> {
  return Object.assign(Object.create(null) as Record<string, ProfileValues>, profiles);
}

/** Changes the stored settings in one write; returns the file's path. */
export async function updateSettings(configDir: string, change: (stored: StoredSettings) => void): Promise<string> {
  const stored = readSettings(configDir);
  change(stored);
  const file = settingsFile(configDir);
  try {
    const Conf = await loadConf();
    const conf = new Conf<StoredSettings>({ cwd: configDir, configName: 'config', projectName: 'b0s', projectSuffix: '', clearInvalidConfig: false });
    conf.set('profiles', stored.profiles);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(`cannot save the settings in ${file}: ${code ?? (err as Error).message}`, { cause: err });
  }
  return file;
}
