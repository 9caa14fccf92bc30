// Page quirks: list answers from a buggy server, for testing that a page walker notices
// rather than trusting the pagination object. Spec: comma-separated rules, e.g.
// "short:3:2,ignore-size:50". Rules for one page number apply to the page as answered
// (with ignore-page, that is always page 1).

export const PAGE_QUIRK_SYNTAX = 'short:P:K, empty:P, long:P:K, ignore-size[:S], ignore-page or same-id';

/** What one page serves instead of its sessions; its pagination object stays as without the rule. */
export type PageRule = { kind: 'short' | 'long'; count: number } | { kind: 'empty' };

export interface PageQuirks {
  /** Page number to its rule. */
  pages: ReadonlyMap<number, PageRule>;
  /** ignore-size: the page size every answer uses; 'default' for the default page size. */
  pageSize?: number | 'default';
  ignorePage: boolean;
  sameId: boolean;
}

export function parsePageQuirks(spec: string): PageQuirks {
  const pages = new Map<number, PageRule>();
  const quirks: PageQuirks = { pages, ignorePage: false, sameId: false };
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const bad = (why: string): Error => new Error(`invalid page quirk "${part}": ${why} (expected ${PAGE_QUIRK_SYNTAX})`);
    const [name = '', ...args] = part.split(':');
    const kind = name.toLowerCase();
    const arity = (n: number, shape: string): void => {
      if (args.length !== n) throw bad(`${kind} takes ${shape}`);
    };
    const int = (value: string | undefined, what: string, min: number): number => {
      const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < min) throw bad(`${what} "${value ?? ''}" is not an integer >= ${min}`);
      return n;
    };
    const once = (taken: boolean): void => {
      if (taken) throw bad(`${kind} is given twice`);
    };
    if (kind === 'short' || kind === 'long' || kind === 'empty') {
      let rule: PageRule;
      if (kind === 'empty') {
        arity(1, 'a page number: empty:P');
        rule = { kind };
      } else {
        arity(2, `a page number and a count: ${kind}:P:K`);
        rule = { kind, count: int(args[1], 'count', kind === 'long' ? 1 : 0) };
      }
      const page = int(args[0], 'page', 1);
      if (pages.has(page)) throw bad(`page ${page} already has a rule`);
      pages.set(page, rule);
    } else if (kind === 'ignore-size') {
      once(quirks.pageSize !== undefined);
      if (args.length > 1) throw bad('ignore-size takes at most a page size: ignore-size[:S]');
      quirks.pageSize = args[0] === undefined ? 'default' : int(args[0], 'page size', 1);
    } else if (kind === 'ignore-page' || kind === 'same-id') {
      arity(0, 'no arguments');
      if (kind === 'ignore-page') {
        once(quirks.ignorePage);
        quirks.ignorePage = true;
      } else {
        once(quirks.sameId);
        quirks.sameId = true;
      }
    } else {
      throw bad(`unknown quirk "${name}"`);
    }
  }
  return quirks;
}
