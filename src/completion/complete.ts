// What to offer at the cursor, computed from the command tree itself (so new commands
// and flags complete with no extra work), for the shell scripts of scripts.ts, which
// call `b0s __complete -- WORDS...`. Never makes a request and never needs a token:
// socket names, user emails and session IDs come from what terminal output recently
// showed (src/recent.ts).
import type { Command, Option } from 'commander';
import { columnNames } from '../output/list-writer';
import { SESSION_TYPES } from '../session';
import { SETTINGS } from '../settings/keys';
import type { CompletionValues } from '../recent';

export interface Candidate {
  word: string;
  description?: string;
}

/** Printed alone: the shell should complete file names. */
export const FILES = ':files';

export interface CompletionSources {
  /** Recent sessions, socket names and user emails; empty when nothing is remembered. */
  recent(): Promise<CompletionValues>;
  profiles(): string[];
}

/**
 * Values of flags whose parser takes any value but has usual ones (the values of flags
 * that take a fixed set come from their parsers, src/options.ts).
 */
const USUAL_VALUES: Record<string, readonly string[]> = { '--type': SESSION_TYPES };
const FILE_FLAGS = new Set(['--token-file', '--output-file', '--checkpoint', '--out']);
/** Positional values of commands that take a fixed set. */
const ARGUMENTS: Record<string, readonly string[]> = {
  stats: ['users', 'sockets', 'locations', 'activity'],
  completion: ['bash', 'zsh', 'fish'],
};
const SESSION_COMMANDS = new Set(['show', 'replay', 'kill']);

const summary = (text: string) => {
  const first = text.split(/(?<=[.;])\s|\n/)[0] ?? '';
  return first.length > 70 ? `${first.slice(0, 69)}…` : first;
};

function optionsOf(command: Command): Option[] {
  const all: Option[] = [];
  for (let c: Command | null = command; c; c = c.parent) all.push(...c.options);
  return all.filter((o) => !(o as Option & { hidden?: boolean }).hidden);
}

function findOption(command: Command, flag: string): Option | undefined {
  return optionsOf(command).find((o) => o.long === flag || o.short === flag);
}

/** `words`: what follows `b0s` up to the cursor, the last one being the word being typed (maybe empty). */
export async function complete(program: Command, words: readonly string[], sources: CompletionSources): Promise<Candidate[] | typeof FILES> {
  const current = words.at(-1) ?? '';
  let command = program;
  let expecting: Option | undefined;
  const positionals: string[] = [];
  /** Values already given, by long flag name (--output for --columns). */
  const given = new Map<string, string>();
  let onlyPositionals = false;
  for (const word of words.slice(0, -1)) {
    if (expecting) {
      if (expecting.long) given.set(expecting.long, word);
      expecting = undefined;
      continue;
    }
    if (!onlyPositionals && word === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!onlyPositionals && word.startsWith('-') && word.length > 1) {
      const [flag, value] = word.split(/=(.*)/s) as [string, string | undefined];
      const option = findOption(command, flag);
      if (option?.long && value !== undefined) given.set(option.long, value);
      if (option && (option.required || option.optional) && value === undefined) expecting = option;
      continue;
    }
    const sub = positionals.length === 0 ? command.commands.find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
    if (sub) command = sub;
    else positionals.push(word);
  }

  const matching = (list: readonly Candidate[]) => list.filter((c) => c.word.startsWith(current));
  const plain = (values: readonly string[], description?: string) => matching(values.map((word) => ({ word, description })));

  if (expecting) return valuesOf(expecting, given, current, sources, matching, plain);
  if (current.startsWith('-')) {
    const flags = optionsOf(command).flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)).map((word) => ({ word, description: summary(o.description) })));
    return matching([...flags, { word: '--help', description: 'help for this command' }]);
  }
  const subs = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  if (subs.length && positionals.length === 0) return matching(subs.map((c) => ({ word: c.name(), description: summary(c.description()) })));

  const name = command.name();
  const fixed = ARGUMENTS[name];
  if (fixed && positionals.length === 0) return plain(fixed);
  if (SESSION_COMMANDS.has(name)) {
    const { sessions } = await sources.recent();
    return matching(sessions.map((s) => ({ word: s.sessionId.slice(0, 8), description: [s.userEmail, s.socketName].filter(Boolean).join(' on ') || undefined })));
  }
  if (command.parent?.name() === 'config' && name !== 'list') {
    if (positionals.length === 0) return matching(SETTINGS.map((s) => ({ word: s.key, description: s.describe })));
    if (name === 'set' && positionals.length === 1) {
      const spec = SETTINGS.find((s) => s.key === positionals[0]);
      if (spec?.key === 'token-file') return FILES;
      return plain(spec && 'values' in spec ? (spec.values as readonly string[]) : []);
    }
  }
  return [];
}

async function valuesOf(
  option: Option,
  given: ReadonlyMap<string, string>,
  current: string,
  sources: CompletionSources,
  matching: (list: readonly Candidate[]) => Candidate[],
  plain: (values: readonly string[], description?: string) => Candidate[],
): Promise<Candidate[] | typeof FILES> {
  const flag = option.long ?? '';
  if (FILE_FLAGS.has(flag)) return FILES;
  if (flag === '--profile') return plain(sources.profiles());
  if (flag === '--socket') return plain((await sources.recent()).sockets, 'socket');
  if (flag === '--user') return plain((await sources.recent()).users, 'user');
  if (flag === '--columns') {
    // A comma-separated list: complete its last item, among the columns of the format
    // given (the table's unless -o csv) that it does not name yet.
    const done = current.slice(0, current.lastIndexOf(',') + 1);
    const named = new Set(done.split(','));
    const names = columnNames(given.get('--output')?.toLowerCase() === 'csv' ? 'csv' : 'table').filter((n) => !named.has(n));
    return matching(names.map((n) => ({ word: `${done}${n}` })));
  }
  const values = (option.parseArg as { values?: readonly string[] } | undefined)?.values;
  return plain(values?.length ? values : (USUAL_VALUES[flag] ?? []));
}

