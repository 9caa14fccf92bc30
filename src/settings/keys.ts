// What can be set with `b0s config set`, one object per setting: its flag, its
// environment variable, its default, and how a value is checked. Everything else in
// settings/ is generic over this table.
import { DEFAULT_API_URL, parseApiUrl } from '../config';
import { UsageError } from '../errors';
import { choice, wholeNumber } from '../options';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/formats';

export type ColorMode = 'auto' | 'always' | 'never';

export interface SettingValues {
  'api-url': string;
  'token-file': string;
  output: OutputFormat;
  'page-size': number;
  concurrency: number;
  color: ColorMode;
  retries: number;
  /** Seconds, possibly with a fraction. */
  timeout: number;
  'time-zone': string;
}

export type SettingKey = keyof SettingValues;

export interface SettingSpec<K extends SettingKey = SettingKey> {
  key: K;
  /** One line for `config list --help` and errors. */
  describe: string;
  /** What values are accepted, for messages. */
  accepts: string;
  flag?: string;
  env?: string;
  /** Undefined for token-file: its default depends on the home folder and platform. */
  fallback?: SettingValues[K];
  /** Checks a value; `label` names where it came from in the message (a key, `B0S_RETRIES:`). */
  parse(value: string, label: string): SettingValues[K];
  /** Extra values shell completion offers. */
  values?: readonly string[];
}

export const MAX_PAGE_SIZE = 1000;
export const MAX_CONCURRENCY = 32;
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_RETRIES = 5;
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** Seconds above 0, at most an hour. */
export function parseTimeoutSeconds(flag: string, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new UsageError(`${flag} must be a number of seconds above 0 and at most 3600, got "${value}"`);
  }
  return n;
}

/** An IANA zone name (Europe/Berlin), UTC, or `local` for the system's own. */
export function parseTimeZone(flag: string, value: string): string {
  const zone = value.trim();
  if (zone === 'local' || zone === 'UTC') return zone;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(`${flag} must be UTC, local or a time zone name such as Europe/Berlin or America/New_York, got "${value}"`);
  }
}

function spec<K extends SettingKey>(s: SettingSpec<K>): SettingSpec<K> {
  return s;
}

export const SETTINGS = [
  spec({
    key: 'api-url',
    describe: 'API base URL',
    accepts: `an http(s) URL such as ${DEFAULT_API_URL}`,
    flag: '--api-url',
    env: 'BORDER0_API',
    fallback: DEFAULT_API_URL,
    parse: (v, label) => parseApiUrl(v, label).href.replace(/\/+$/, ''),
  }),
  spec({
    key: 'token-file',
    describe: 'file holding the admin token (BORDER0_ADMIN_TOKEN, the token itself, wins over it)',
    accepts: 'a file path',
    flag: '--token-file',
    parse: (v, label) => {
      if (v.trim() === '') throw new UsageError(`${label} must be a file path, got ""`);
      return v.trim();
    },
  }),
  spec({
    key: 'output',
    describe: 'default output format of commands that offer it',
    accepts: OUTPUT_FORMATS.join(', '),
    flag: '-o',
    env: 'B0S_OUTPUT',
    fallback: 'table',
    parse: (v, label) => choice(label, OUTPUT_FORMATS)(v),
    values: OUTPUT_FORMATS,
  }),
  spec({
    key: 'page-size',
    describe: 'sessions per page',
    // Not toLocaleString: this is built at every start, and ICU's number formatting costs ~20 ms to load.
    accepts: `a whole number from 1 to ${String(MAX_PAGE_SIZE).replace(/\B(?=(\d{3})+$)/g, ',')}`,
    flag: '--page-size',
    env: 'B0S_PAGE_SIZE',
    fallback: DEFAULT_PAGE_SIZE,
    parse: (v, label) => wholeNumber(label, 1, MAX_PAGE_SIZE)(v),
  }),
  spec({
    key: 'concurrency',
    describe: 'pages fetched at once when walking, and kills sent at once',
    accepts: `a whole number from 1 to ${MAX_CONCURRENCY}`,
    flag: '--concurrency',
    env: 'B0S_CONCURRENCY',
    fallback: DEFAULT_CONCURRENCY,
    parse: (v, label) => wholeNumber(label, 1, MAX_CONCURRENCY)(v),
  }),
  spec({
    key: 'color',
    describe: 'colour: auto (on a terminal), always or never',
    accepts: 'auto, always, never',
    flag: '--no-color',
    env: 'NO_COLOR, FORCE_COLOR',
    fallback: 'auto',
    parse: (v, label) => choice(label, ['auto', 'always', 'never'] as const)(v),
    values: ['auto', 'always', 'never'],
  }),
  spec({
    key: 'retries',
    describe: 'retries of a failed request',
    accepts: 'a whole number from 0 to 20',
    flag: '--retries',
    env: 'B0S_RETRIES',
    fallback: DEFAULT_RETRIES,
    parse: (v, label) => wholeNumber(label, 0, 20)(v),
  }),
  spec({
    key: 'timeout',
    describe: 'seconds each request may take, its whole response included',
    accepts: 'a number of seconds above 0 and at most 3600',
    flag: '--timeout',
    env: 'B0S_TIMEOUT',
    fallback: DEFAULT_TIMEOUT_SECONDS,
    parse: (v, label) => parseTimeoutSeconds(label, v),
  }),
  spec({
    key: 'time-zone',
    describe: 'time zone of the hours and days of b0s stats activity',
    accepts: 'UTC, local, or a zone name such as Europe/Berlin',
    env: 'B0S_TIME_ZONE',
    fallback: 'UTC',
    parse: (v, label) => parseTimeZone(label, v),
    values: ['UTC', 'local'],
  }),
] as const satisfies readonly SettingSpec[];

export const SETTING_KEYS = SETTINGS.map((s) => s.key) as readonly SettingKey[];

export function settingSpec(key: string): SettingSpec {
  const found = SETTINGS.find((s) => s.key === key) as SettingSpec | undefined;
  if (!found) {
    const hint = key === 'token' ? ' (the token itself is never stored: set token-file, or see `b0s auth status`)' : '';
    throw new UsageError(`unknown setting "${key}"${hint}; settings are: ${SETTING_KEYS.join(', ')}`);
  }
  return found;
}

/** A value as `config list` and `config get` print it. */
export function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
