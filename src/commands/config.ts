// b0s config get|set|unset|list: the settings of a profile, and where each effective
// value comes from (a flag, the environment, the profile or the default).
import path from 'node:path';
import type { Deps } from '../deps';
import { outputFormat } from '../output/formats';
import { renderGrid } from '../output/grid';
import { toJson } from '../output/json';
import { inlineText } from '../text';
import type { Settings } from '../settings';
import { formatValue, SETTINGS, settingSpec, type SettingKey } from '../settings/keys';
import { readSettings, updateSettings } from '../settings/store';

export interface ConfigListOptions {
  format: 'table' | 'json';
}

interface Row {
  key: string;
  value: string;
  source: string;
}

/** The token is never shown, only where it would be read from. */
function tokenRow(s: Settings, env: Deps['env']): Row {
  const fromEnv = s['token-file'].source !== '--token-file' && Boolean(env.BORDER0_ADMIN_TOKEN?.trim());
  return fromEnv ? { key: 'token', value: '******** (hidden)', source: 'BORDER0_ADMIN_TOKEN' } : { key: 'token', value: '(read from token-file)', source: 'token-file' };
}

export function settingRows(s: Settings, env: Deps['env']): Row[] {
  const rows: Row[] = [{ key: 'profile', value: s.profile.value, source: s.profile.source }];
  for (const spec of SETTINGS) {
    const setting = s[spec.key];
    rows.push({ key: spec.key, value: formatValue(setting.value), source: setting.source });
    if (spec.key === 'api-url') rows.push(tokenRow(s, env));
  }
  return rows;
}

export async function runConfigList(opts: ConfigListOptions, deps: Deps): Promise<void> {
  const rows = settingRows(deps.settings, deps.env);
  if (opts.format === 'json') {
    await deps.io.write(`${toJson(rows, 2)}\n`);
    return;
  }
  await deps.io.write(renderGrid([{ header: 'KEY' }, { header: 'VALUE' }, { header: 'SOURCE' }], rows.map((r) => [r.key, r.value, r.source]), deps.io));
  if (deps.io.stderrIsTTY) {
    const profiles = Object.keys(readSettings(path.dirname(deps.settings.file)).profiles);
    deps.io.note(deps.io.err.dim(profiles.length ? `profiles in ${deps.settings.file}: ${profiles.map(inlineText).join(', ')}` : `no settings saved yet (b0s config set KEY VALUE writes ${deps.settings.file})`));
  }
}

export function configKey(key: string): SettingKey {
  return settingSpec(key).key;
}

/** The effective value, as a script wants it: the value alone on stdout. */
export async function runConfigGet(key: SettingKey, deps: Deps): Promise<void> {
  await deps.io.write(`${inlineText(formatValue(deps.settings[key].value))}\n`);
}

export interface ConfigSetOptions {
  key: SettingKey;
  value: unknown;
}

/** Checks the value before anything is written (exit 2 with what is accepted). */
export function configSetOptions(key: string, value: string): ConfigSetOptions {
  const spec = settingSpec(key);
  return { key: spec.key, value: spec.parse(value, spec.key) };
}

export async function runConfigSet(opts: ConfigSetOptions, deps: Deps): Promise<void> {
  const { settings, io } = deps;
  const profile = settings.profile.value;
  const file = await updateSettings(path.dirname(settings.file), (stored) => {
    stored.profiles[profile] = { ...stored.profiles[profile], [opts.key]: opts.value };
  });
  io.note(`${opts.key} = ${inlineText(formatValue(opts.value))} in profile ${profile} (${file})`);
  overriddenNote(opts.key, settings, deps);
}

export async function runConfigUnset(key: SettingKey, deps: Deps): Promise<void> {
  const { settings, io } = deps;
  const profile = settings.profile.value;
  const stored = readSettings(path.dirname(settings.file));
  if (stored.profiles[profile]?.[key] === undefined) {
    io.note(`${key} is not set in profile ${profile}; nothing to do.`);
    return;
  }
  await updateSettings(path.dirname(settings.file), (s) => {
    const { [key]: _removed, ...rest } = s.profiles[profile] ?? {};
    s.profiles[profile] = rest;
  });
  io.note(`${key} unset in profile ${profile}`);
  overriddenNote(key, settings, deps);
}

/** A value saved in a profile does nothing while a flag or the environment says otherwise: say so. */
function overriddenNote(key: SettingKey, settings: Settings, deps: Deps): void {
  const source = settings[key].source;
  if (source === 'default' || source.startsWith('profile ')) return;
  deps.io.note(deps.io.err.dim(`(${source} overrides the profile here)`));
}

/** `defaultFormat`: the `output` setting, when it is table or json. */
export function configListOptions(raw: { output?: 'table' | 'json'; json?: boolean }, defaultFormat?: string): ConfigListOptions {
  return { format: outputFormat(raw, defaultFormat) as 'table' | 'json' };
}
