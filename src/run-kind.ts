// Which kind of run this is, from the arguments alone: b0s keeps compiled code per kind
// (src/compile-cache.ts), and this is known before the program is loaded.

/** b0s's commands (test/compile-cache.test.ts checks them against the program's). */
export const COMMANDS = ['list', 'show', 'replay', 'search', 'kill', 'stats', 'auth', 'config', 'completion', '__complete', 'export'];

/**
 * The command, as far as the arguments tell without the program: runs of a kind run the
 * same code. The first command name given (an option's value, such as a profile's name,
 * could come first), or 'other'.
 */
export function runKind(args: readonly string[]): string {
  if (args.length === 0 || args.some((a) => a === '--help' || a === '-h') || args[0] === 'help') return 'help';
  return args.find((a) => COMMANDS.includes(a)) ?? 'other';
}
