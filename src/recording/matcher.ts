// What `b0s search` looks for in a line. Recordings are written by the people being
// investigated, and a pattern is run over every line of them: with JavaScript's own
// regular expressions (which backtrack), a pattern such as `(a+)+$` takes exponential
// time on a line built for it, and one line could stall a search for hours. So:
// - plain text (the default) is matched as a literal, which cannot backtrack;
// - --regex uses RE2 syntax through re2js, an engine that runs in time linear in the
//   line, whatever the pattern: no backreferences and no lookaround (RE2 rejects them
//   with a usage error), in exchange for a bound that no recording can break.

import { RE2JS } from 're2js';
import { UsageError } from '../errors';

export interface PatternSpec {
  pattern: string;
  regex: boolean;
  ignoreCase: boolean;
}

export interface Matcher {
  test(line: string): boolean;
  /** Where the pattern matches in `line`, as [start, end) pairs, for highlighting. */
  ranges(line: string): Array<[number, number]>;
}

// A pattern longer than this is a mistake (or an attempt to make compilation costly).
const MAX_PATTERN = 4096;
// Highlighting stops after this many matches on one line.
const MAX_RANGES = 100;

// A search compiles one pattern and uses it on every recording.
let last: { key: string; matcher: Matcher } | undefined;

/** Throws UsageError for a pattern that cannot be used. */
export function compileMatcher(spec: PatternSpec): Matcher {
  if (spec.pattern === '') throw new UsageError('the pattern is empty: give the text to search for');
  if (spec.pattern.length > MAX_PATTERN) throw new UsageError(`the pattern is ${spec.pattern.length} characters long; at most ${MAX_PATTERN}`);
  const key = `${spec.regex}:${spec.ignoreCase}:${spec.pattern}`;
  if (last?.key !== key) last = { key, matcher: spec.regex ? re2Matcher(spec) : literalMatcher(spec) };
  return last.matcher;
}

function literalMatcher(spec: PatternSpec): Matcher {
  // An escaped literal: JavaScript's engine finds it without backtracking. With the u flag
  // only syntax characters may be escaped (\- is an error there, and "-" is literal
  // outside a class, which an escaped pattern never has).
  const escaped = spec.pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const once = new RegExp(escaped, spec.ignoreCase ? 'iu' : 'u');
  const all = new RegExp(escaped, spec.ignoreCase ? 'giu' : 'gu');
  return {
    test: (line) => once.test(line),
    ranges(line) {
      const out: Array<[number, number]> = [];
      all.lastIndex = 0;
      for (let m = all.exec(line); m && out.length < MAX_RANGES; m = all.exec(line)) out.push([m.index, m.index + m[0].length]);
      return out;
    },
  };
}

function re2Matcher(spec: PatternSpec): Matcher {
  let re: RE2JS;
  try {
    re = RE2JS.compile(spec.pattern, spec.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new UsageError(`invalid --regex pattern: ${why} (RE2 syntax: no backreferences or lookaround)`);
  }
  return {
    test: (line) => re.test(line),
    ranges(line) {
      const out: Array<[number, number]> = [];
      // Indices are UTF-16 offsets, as in JavaScript strings; an empty match moves on by itself.
      const m = re.matcher(line);
      while (out.length < MAX_RANGES && m.find()) if (m.end() > m.start()) out.push([m.start(), m.end()]);
      return out;
    },
  };
}
