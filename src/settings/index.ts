// Every setting's value and the place it came from, in order: a flag, the environment,
// the profile in use, the default. The one path by which b0s decides its API URL, token
// file, retries, timeout, colour and the defaults of commands' flags.
import { defaultTokenPath } from '../config';
import { UsageError } from '../errors';
import { envColor } from '../io';
import type { Env } from '../world';
import { SETTINGS, type ColorMode, type SettingKey, type SettingSpec, type SettingValues } from './keys';
import { checkProfileName, DEFAULT_PROFILE, readSettings, settingsFile, type StoredSettings } from './store';

export { chosen, commandDefaults, type CommandDefaults } from './defaults';

export interface Resolved<T> {
  value: T;
  /** `--retries`, `B0S_RETRIES`, `profile work`, or `default`. */
  source: string;
}

export type Settings = { readonly [K in SettingKey]: Resolved<SettingValues[K]> } & {
  readonly profile: Resolved<string>;
  /** The settings file, whether or not it exists. */
  readonly file: string;
};

export interface SettingInputs {
  /** Global flags as given (undefined when not). */
  flags: { apiUrl?: string; tokenFile?: string; noColor?: boolean; retries?: number; timeoutSeconds?: number; profile?: string };
  env: Env;
  configDir: string;
  homedir: string;
  platform: NodeJS.Platform;
}

/** The profile named by --profile or B0S_PROFILE, else `default`. */
export function profileChoice(flag: string | undefined, env: Env): Resolved<string> {
  if (flag !== undefined) return { value: checkProfileName(flag, '--profile'), source: '--profile' };
  const fromEnv = env.B0S_PROFILE;
  if (fromEnv !== undefined && fromEnv !== '') return { value: checkProfileName(fromEnv, 'B0S_PROFILE'), source: 'B0S_PROFILE' };
  return { value: DEFAULT_PROFILE, source: 'default' };
}

/**
 * Resolves every setting. A profile other than `default` must exist in the file, unless
 * `allowNewProfile` (for `config set`, which creates it).
 */
export function resolveSettings(inputs: SettingInputs, opts: { allowNewProfile?: boolean; stored?: StoredSettings } = {}): Settings {
  const { flags, env } = inputs;
  const file = settingsFile(inputs.configDir);
  const profile = profileChoice(flags.profile, env);
  const stored = opts.stored ?? readSettings(inputs.configDir);
  const values = stored.profiles[profile.value];
  if (values === undefined && profile.value !== DEFAULT_PROFILE && !opts.allowNewProfile) {
    const known = Object.keys(stored.profiles);
    throw new UsageError(
      `no profile "${profile.value}" (from ${profile.source}) in ${file}; ${known.length ? `profiles: ${known.join(', ')}` : 'there are no profiles yet'}; create it with b0s config set --profile ${profile.value} KEY VALUE`,
    );
  }
  const fromProfile = <K extends SettingKey>(spec: SettingSpec<K>): Resolved<SettingValues[K]> | undefined => {
    const raw = values?.[spec.key];
    if (raw === undefined || raw === null) return undefined;
    return { value: spec.parse(String(raw), `${spec.key} in profile ${profile.value} (${file})`), source: `profile ${profile.value}` };
  };
  const fromEnv = <K extends SettingKey>(spec: SettingSpec<K>, name: string | undefined): Resolved<SettingValues[K]> | undefined => {
    const raw = name === undefined ? undefined : env[name];
    if (raw === undefined || raw === '' || name === undefined) return undefined;
    // As the env var's own: `B0S_RETRIES: must be from 0 to 20, got 50`.
    return { value: spec.parse(raw, `${name}:`), source: name };
  };
  const fallback = <K extends SettingKey>(spec: SettingSpec<K>): Resolved<SettingValues[K]> => ({ value: spec.fallback as SettingValues[K], source: 'default' });
  const pick = <K extends SettingKey>(key: K, flag: Resolved<SettingValues[K]> | undefined, envName?: string): Resolved<SettingValues[K]> => {
    const spec = SETTINGS.find((s) => s.key === key) as unknown as SettingSpec<K>;
    return flag ?? fromEnv(spec, envName) ?? fromProfile(spec) ?? fallback(spec);
  };
  const given = <T>(value: T | undefined, source: string): Resolved<T> | undefined => (value === undefined ? undefined : { value, source });

  const color: Resolved<ColorMode> = flags.noColor ? { value: 'never', source: '--no-color' } : (envColor(env) ?? fromProfile(spec('color')) ?? fallback(spec('color')));
  // The API URL is checked where it is used, so that a bad one is named with its source there.
  const apiUrlFromEnv = env.BORDER0_API ? { value: env.BORDER0_API, source: 'BORDER0_API' } : undefined;
  const tokenFile = given(flags.tokenFile, '--token-file') ?? fromProfile(spec('token-file'));

  return {
    file,
    profile,
    'api-url': given(flags.apiUrl, '--api-url') ?? apiUrlFromEnv ?? pick('api-url', undefined),
    'token-file': tokenFile
      ? { ...tokenFile, value: expandHome(tokenFile.value, inputs.homedir) }
      : { value: defaultTokenPath(env, inputs.homedir, inputs.platform), source: 'default' },
    output: pick('output', undefined, 'B0S_OUTPUT'),
    'page-size': pick('page-size', undefined, 'B0S_PAGE_SIZE'),
    concurrency: pick('concurrency', undefined, 'B0S_CONCURRENCY'),
    color,
    retries: pick('retries', given(flags.retries, '--retries'), 'B0S_RETRIES'),
    timeout: pick('timeout', given(flags.timeoutSeconds, '--timeout'), 'B0S_TIMEOUT'),
    'time-zone': pick('time-zone', undefined, 'B0S_TIME_ZONE'),
  };
}

function spec<K extends SettingKey>(key: K): SettingSpec<K> {
  return SETTINGS.find((s) => s.key === key) as unknown as SettingSpec<K>;
}

/** `~/x` in a stored path is the home folder's x, as a shell would have made it. */
function expandHome(file: string, homedir: string): string {
  return file === '~' ? homedir : file.startsWith('~/') ? `${homedir}/${file.slice(2)}` : file;
}
