// Settings as a command's flag defaults. Apart from the rest of src/settings, which
// reads the settings file: the command surface needs this at every start, that only
// when a command runs.
import type { Resolved, Settings } from '.';

/** The value when a flag, the environment or the profile chose it; undefined when it is only the default (commands keep their own then). */
export function chosen<T>(setting: Resolved<T>): T | undefined {
  return setting.source === 'default' ? undefined : setting.value;
}

/** What a command takes as its flags' defaults: the settings that are more than defaults, and an output format it offers. */
export interface CommandDefaults {
  pageSize?: number;
  concurrency?: number;
  output?: string;
}

export function commandDefaults(s: Settings, formats: readonly string[]): CommandDefaults {
  const output = chosen(s.output);
  return { pageSize: chosen(s['page-size']), concurrency: chosen(s.concurrency), output: output !== undefined && formats.includes(output) ? output : undefined };
}
