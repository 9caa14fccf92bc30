// @xterm/headless, loaded on demand, and the few parts of its inside that b0s needs.
//
// Its public parser API lets b0s run code just before any CSI or ESC sequence, but not
// before printed text or a line feed, and it does not tell where the scroll region is.
// Those are exactly where text can vanish from a screen (written over; scrolled out of
// a region), so b0s wraps two internal methods, print and scroll, and reads the
// scroll region, the modes and the identity of line objects. It also wraps the parser's
// entry point, so that an exception inside xterm becomes an error b0s can report, and
// works around one such exception it is known to throw. All of it is checked when a
// terminal is made: a version of the package without these parts fails every replay
// with a clear message (and the test suite), rather than silently losing the guarantee
// that hidden text is found.

import type { Terminal as XTerm } from '@xterm/headless';
import { FormatError } from '../errors';

export type TerminalClass = typeof XTerm;

export async function loadTerminal(): Promise<TerminalClass> {
  const mod: unknown = await import('@xterm/headless');
  // The package is CommonJS: Node's ESM loader exposes it only as `default`, while
  // esbuild's CommonJS bundle exposes both forms.
  const ns = mod as { Terminal?: TerminalClass; default?: { Terminal?: TerminalClass } };
  const Terminal = ns.Terminal ?? ns.default?.Terminal;
  if (typeof Terminal !== 'function') {
    throw new FormatError('cannot render the recording as text: @xterm/headless did not load; use --format raw');
  }
  return Terminal;
}

/** The cursor and scroll region of the active buffer, rows counted from the screen's top. */
export interface ScreenState {
  x: number;
  y: number;
  scrollTop: number;
  scrollBottom: number;
  insertMode: boolean;
  wraparound: boolean;
}

export type PrintFn = (data: Uint32Array, start: number, end: number) => void;

export interface Internals {
  state(): ScreenState;
  /** Replaces xterm's print; `original` prints a slice of code points. */
  wrapPrint(wrapper: (original: PrintFn, data: Uint32Array, start: number, end: number) => void): void;
  /**
   * xterm's own object for a row of a buffer: the same object for as long as the row
   * holds the same line (scrolling and deleting lines move the objects).
   */
  lineAt(buffer: 'active' | 'normal', row: number): object | undefined;
  /** Runs `before` ahead of every scroll of the active buffer by one line; false skips the scroll. */
  beforeScroll(before: () => boolean): void;
  /**
   * Calls `failed` instead of letting an exception in xterm's parser escape from its
   * timer (where nothing could catch it and b0s would crash); the rest of that chunk
   * is skipped.
   */
  catchParseErrors(failed: (err: unknown) => void): void;
}

type RawParams = { params: ArrayLike<number> };

interface RawBuffer {
  x: number;
  y: number;
  scrollTop: number;
  scrollBottom: number;
}

type RawLines = { length: number; get(i: number): object | undefined };

interface RawCore {
  buffers?: { active?: RawBuffer & { lines?: RawLines }; normal?: { lines?: RawLines } };
  coreService?: { modes?: { insertMode?: boolean }; decPrivateModes?: { wraparound?: boolean } };
  _inputHandler?: {
    print?: PrintFn;
    parse?: (...args: unknown[]) => unknown;
    eraseInDisplay?: (params: RawParams, respectProtect?: boolean) => boolean;
  };
  _bufferService?: { scroll?: (...args: unknown[]) => void };
}

function unsupported(): FormatError {
  return new FormatError('cannot render the recording as text: this version of @xterm/headless is not supported; use --format raw -O FILE');
}

export function internalsOf(term: XTerm): Internals {
  const core = (term as unknown as { _core?: RawCore })._core;
  const handler = core?._inputHandler;
  const bufferService = core?._bufferService;
  const modes = core?.coreService;
  const active = core?.buffers?.active;
  if (
    !core ||
    typeof handler?.print !== 'function' ||
    typeof handler.parse !== 'function' ||
    typeof handler.eraseInDisplay !== 'function' ||
    typeof bufferService?.scroll !== 'function' ||
    typeof modes?.modes?.insertMode !== 'boolean' ||
    typeof modes.decPrivateModes?.wraparound !== 'boolean' ||
    typeof active?.scrollTop !== 'number' ||
    typeof active.scrollBottom !== 'number' ||
    typeof active.x !== 'number' ||
    typeof active.lines?.length !== 'number' ||
    typeof active.lines.get !== 'function' ||
    typeof core.buffers?.normal?.lines?.get !== 'function'
  ) {
    throw unsupported();
  }
  guardEraseAbove(term, core);
  return {
    state() {
      const b = core.buffers!.active!;
      return {
        x: b.x,
        y: b.y,
        scrollTop: b.scrollTop,
        scrollBottom: b.scrollBottom,
        insertMode: modes.modes!.insertMode!,
        wraparound: modes.decPrivateModes!.wraparound!,
      };
    },
    lineAt(buffer, row) {
      return core.buffers![buffer]!.lines!.get(row);
    },
    wrapPrint(wrapper) {
      // xterm's parser calls `this.print(...)` through the instance, so an own
      // property replaces it for printed text and for REP (CSI b) alike.
      const original = handler.print!.bind(handler);
      handler.print = (data, start, end) => wrapper(original, data, start, end);
    },
    beforeScroll(before) {
      const original = bufferService.scroll!.bind(bufferService);
      bufferService.scroll = (...args: unknown[]) => {
        if (before()) original(...args);
      };
    },
    catchParseErrors(failed) {
      const original = handler.parse!.bind(handler);
      handler.parse = (...args: unknown[]) => {
        try {
          return original(...args);
        } catch (err) {
          failed(err);
          return undefined;
        }
      };
    },
  };
}

/**
 * xterm 6.0 throws on `ESC[1J` (erase above) with the cursor in the last cell of the
 * screen while nothing has scrolled yet: it clears the wrap flag of the row below the
 * cursor, counting rows from the screen's top in the buffer's lines, and there is no
 * such row. Erasing from the top to the last cell is erasing the whole screen, so that
 * is done instead. Registered before every other hook, so it runs last, just before
 * xterm's own handler.
 */
function guardEraseAbove(term: XTerm, core: RawCore): void {
  for (const prefix of [undefined, '?']) {
    term.parser.registerCsiHandler({ prefix, final: 'J' }, (params) => {
      const b = core.buffers!.active!;
      if (params[0] !== 1 || b.x + 1 < term.cols || b.y + 1 < b.lines!.length) return false;
      core._inputHandler!.eraseInDisplay!({ params: [2] }, prefix === '?');
      return true;
    });
  }
}
