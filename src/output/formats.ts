import { UsageError } from '../errors';

export type OutputFormat = 'table' | 'json' | 'ndjson' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'csv'];

/**
 * `-o FORMAT` and its shorthand `--json`, which must not contradict each other; without
 * either, the `output` setting when the command offers it (`fallback`), else table.
 */
export function outputFormat<T extends string>(raw: { output?: T; json?: boolean }, fallback?: string): T | 'table' {
  if (raw.json && raw.output && raw.output !== 'json') {
    throw new UsageError(`--json contradicts -o ${raw.output}: give one of them`);
  }
  return raw.json ? ('json' as T) : (raw.output ?? ((fallback as T | undefined) ?? 'table'));
}
