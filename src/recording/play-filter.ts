// What `replay --play` lets through to the admin's terminal. A recording is written by
// the session's user, and playing it sends its bytes to the terminal of the person
// investigating them: any sequence a terminal acts on is an attack surface. So the
// player passes only what draws the screen, and drops everything else, by a list of
// what is allowed rather than of what is known to be dangerous:
//
// kept      printable text; BS, HT, LF, VT, FF, CR; SO/SI and the DEC line-drawing and
//           ASCII character sets (reset when playback ends); cursor movement and
//           positioning; erasing, inserting and deleting characters and lines;
//           scrolling and scroll regions; colours and text attributes; insert mode,
//           origin mode, autowrap, cursor visibility, the alternate screen; save and
//           restore the cursor; soft reset; line-drawing sizes (ESC # 3-8)
// dropped   OSC (window titles, OSC 52 clipboard writes, hyperlinks, colour changes,
//           notifications, file transfers), DCS, APC, PM and SOS strings (terminal
//           queries, tmux and screen pass-through, sixel); every sequence that makes the
//           terminal answer (device attributes, status and cursor reports, title
//           reports, ENQ), which would be typed into b0s's input or, after it exits,
//           into the admin's shell; window manipulation (CSI t: resize, move, iconify);
//           keyboard and mouse modes, bracketed paste, cursor styles, tab stops, 8-bit
//           controls, character-set switching (ESC %); erasing the scrollback (CSI 3 J,
//           which `clear` sends); BEL; bidi controls; C1 controls (CSI 0x9b is read as
//           ESC [ and filtered like it); the "concealed" attribute (SGR 8), so no text
//           is invisible
// replaced  a full reset (ESC c), which would also wipe the admin's screen and
//           scrollback, by resetting what the player allows and clearing the screen
//
// Counts that make a terminal loop (scroll, insert, repeat...) are clamped to the
// recording's screen size, as for rendering (csi-guard.ts). Sequences may be split
// between events: the scanner keeps its state between pieces, looks at each character
// once, and drops a string (OSC, DCS...) as it goes, so memory stays constant.

const ESC = '\u001b';

const enum State {
  Ground,
  Escape,
  /** ESC followed by an intermediate (0x20-0x2f): a charset designation, or something dropped. */
  EscapeIntermediate,
  Csi,
  /** OSC: ends with BEL or ST. */
  Osc,
  /** DCS, SOS, PM, APC: end with ST. */
  Str,
  /** ESC inside a string: `\` ends it, anything else starts a new sequence. */
  StrEscape,
}

const MAX_PARAMS = 32;
const MAX_VALUE = 9999;

/** CSI finals kept, with no prefix or intermediate. */
const CSI_KEPT = new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'f', 'd', 'e', 'a', '`', 'J', 'K', 'X', '@', 'P', 'L', 'M', 'S', 'T', 'r', 's', 'u', 'm', 'b', 'I', 'Z', 'h', 'l']);
/** Finals whose count drives a loop in the terminal: clamped to the screen. */
const LOOPING_LINES = new Set(['S', 'T', 'L', 'M']);
const LOOPING_COLUMNS = new Set(['b', 'I', 'Z', '@', 'P', 'X']);
/** DEC private modes kept: origin, autowrap, cursor visible, alternate screens, saved cursor. */
const DEC_MODES = new Set([6, 7, 25, 47, 1047, 1048, 1049]);
const ALT_MODES = new Set([47, 1047, 1049]);
/** Character sets kept: ASCII, UK, DEC line drawing. */
const CHARSETS = new Set(['B', 'A', '0']);

function isBidiControl(c: number): boolean {
  return c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** C0 controls passed through: BS, HT, LF, VT, FF, CR, SO, SI. */
function isKeptControl(c: number): boolean {
  return c >= 0x08 && c <= 0x0f;
}

export class PlaybackFilter {
  private state = State.Ground;
  private prefix = '';
  private params: string[] = [''];
  private seps: string[] = [];
  private intermediates = '';
  private escIntermediate = '';
  /** The recording has switched to the alternate screen (and not back). */
  alternate = false;
  /** The recording changed the scroll region or origin mode. */
  private margins = false;
  /** What was dropped, by kind, for a note after playback. */
  readonly dropped = new Map<string, number>();

  constructor(private readonly size: () => { cols: number; rows: number }) {}

  /** The next piece of output, made safe to play. */
  feed(data: string): string {
    let out = '';
    let run = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (this.state === State.Ground) {
        if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f) && !isBidiControl(c)) continue;
        if (i > run) out += data.slice(run, i);
        run = i + 1;
        out += this.control(c, data[i]!);
        continue;
      }
      out += this.inSequence(c, data[i]!);
      run = i + 1;
    }
    if (this.state === State.Ground && run < data.length) out += data.slice(run);
    return out;
  }

  /** What puts the terminal back as it was before playback (the cursor ends on a new line). */
  restore(): string {
    let out = this.alternate ? `${ESC}[?1049l` : '';
    if (this.margins) out += `${ESC}[r${ESC}[?6l${ESC}[999;1H`;
    out += `${ESC}[0m${ESC}[4l${ESC}[?7h${ESC}[?25h${ESC}(B${ESC})B\u000f\r\n`;
    this.alternate = false;
    this.margins = false;
    this.state = State.Ground;
    return out;
  }

  /** Back to a blank screen in the state a recording starts in (seeking backwards). */
  reset(): string {
    let out = this.alternate ? `${ESC}[?1049l` : '';
    out += `${ESC}[r${ESC}[?6l${ESC}[0m${ESC}[4l${ESC}[?7h${ESC}[?25h${ESC}(B${ESC})B\u000f${ESC}[H${ESC}[2J`;
    this.alternate = false;
    this.margins = false;
    this.state = State.Ground;
    return out;
  }

  private drop(kind: string): string {
    this.dropped.set(kind, (this.dropped.get(kind) ?? 0) + 1);
    return '';
  }

  /** A control character or C1 code in plain text. */
  private control(c: number, ch: string): string {
    if (isKeptControl(c)) return ch;
    if (c === 0x1b) {
      this.state = State.Escape;
      return '';
    }
    if (c === 0x9b) {
      this.beginCsi();
      return '';
    }
    if (c === 0x9d) {
      this.state = State.Osc;
      return this.drop('OSC');
    }
    if (c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) {
      this.state = State.Str;
      return this.drop('DCS/APC/PM/SOS');
    }
    if (c === 0x07) return this.drop('BEL');
    if (c === 0x05) return this.drop('ENQ');
    return '';
  }

  private inSequence(c: number, ch: string): string {
    switch (this.state) {
      case State.Escape:
        return this.escape(c, ch);
      case State.EscapeIntermediate:
        return this.escapeIntermediate(c, ch);
      case State.Csi:
        return this.csi(c, ch);
      case State.Osc:
      case State.Str:
        if (c === 0x1b) this.state = State.StrEscape;
        else if ((c === 0x07 && this.state === State.Osc) || c === 0x9c || c === 0x18 || c === 0x1a) this.state = State.Ground;
        return '';
      case State.StrEscape:
        if (c === 0x5c) {
          this.state = State.Ground;
          return '';
        }
        // The string was cut short by another sequence.
        this.state = State.Escape;
        return this.escape(c, ch);
      default:
        return '';
    }
  }

  private escape(c: number, ch: string): string {
    // Controls inside an escape sequence run where they are; ESC starts over.
    if (isKeptControl(c)) return ch;
    if (c === 0x1b || c === 0x7f) return '';
    if (c === 0x18 || c === 0x1a || c < 0x20) {
      this.state = c === 0x18 || c === 0x1a ? State.Ground : this.state;
      return '';
    }
    this.state = State.Ground;
    switch (ch) {
      case '[':
        this.beginCsi();
        return '';
      case ']':
        this.state = State.Osc;
        return this.drop('OSC');
      case 'P':
      case 'X':
      case '^':
      case '_':
        this.state = State.Str;
        return this.drop('DCS/APC/PM/SOS');
      case '7':
      case '8':
      case 'D':
      case 'E':
      case 'M':
        return `${ESC}${ch}`;
      case 'c':
        this.drop('full reset (replaced)');
        return this.reset();
      default:
        if (c >= 0x20 && c <= 0x2f) {
          this.escIntermediate = ch;
          this.state = State.EscapeIntermediate;
          return '';
        }
        return this.drop('ESC sequence');
    }
  }

  private escapeIntermediate(c: number, ch: string): string {
    if (isKeptControl(c)) return ch;
    if (c === 0x18 || c === 0x1a) {
      this.state = State.Ground;
      return '';
    }
    if (c === 0x1b) {
      this.state = State.Escape;
      return '';
    }
    if (c >= 0x20 && c <= 0x2f) {
      // A second intermediate: nothing kept has one.
      this.escIntermediate += ch;
      return '';
    }
    if (c < 0x20) return '';
    this.state = State.Ground;
    const designator = this.escIntermediate;
    if ((designator === '(' || designator === ')') && CHARSETS.has(ch)) return `${ESC}${designator}${ch}`;
    if (designator === '#' && '34568'.includes(ch)) return `${ESC}#${ch}`;
    return this.drop(designator === '%' || designator === ' ' ? 'encoding switch' : 'ESC sequence');
  }

  private beginCsi(): void {
    this.state = State.Csi;
    this.prefix = '';
    this.params = [''];
    this.seps = [];
    this.intermediates = '';
  }

  private csi(c: number, ch: string): string {
    if (c >= 0x30 && c <= 0x39) {
      const i = this.params.length - 1;
      if (i < MAX_PARAMS && this.params[i]!.length < 10) this.params[i] += ch;
      return '';
    }
    if (c === 0x3b || c === 0x3a) {
      if (this.params.length <= MAX_PARAMS) {
        this.params.push('');
        this.seps.push(ch);
      }
      return '';
    }
    if (c >= 0x3c && c <= 0x3f) {
      if (this.prefix === '' && this.params.length === 1 && this.params[0] === '') this.prefix = ch;
      else this.prefix = '!'; // malformed: dropped at the final
      return '';
    }
    if (c >= 0x20 && c <= 0x2f) {
      if (this.intermediates.length < 4) this.intermediates += ch;
      return '';
    }
    if (c >= 0x40 && c <= 0x7e) {
      this.state = State.Ground;
      return this.dispatch(ch);
    }
    if (isKeptControl(c)) return ch;
    if (c === 0x1b) {
      this.state = State.Escape;
      return '';
    }
    if (c === 0x18 || c === 0x1a || (c >= 0x80 && c <= 0x9f)) this.state = State.Ground;
    return '';
  }

  private numbers(): Array<number | undefined> {
    return this.params.map((p) => (p === '' ? undefined : Math.min(Number(p), MAX_VALUE)));
  }

  private dispatch(final: string): string {
    const nums = this.numbers();
    if (this.prefix === '' && this.intermediates === '') {
      if (!CSI_KEPT.has(final) || this.seps.includes(':') && final !== 'm') return this.drop(`CSI ${final}`);
      if (final === 'J' && nums[0] === 3) return this.drop('erase scrollback');
      if (final === 'h' || final === 'l') {
        // Of the ANSI modes, only insert mode draws; the rest change input or line feeds.
        const kept = nums.filter((n) => n === 4);
        return kept.length > 0 ? `${ESC}[4${final}` : this.drop(`mode ${final}`);
      }
      if (final === 'm') return this.sgr();
      if (final === 'r') this.margins = true;
      const limit = LOOPING_LINES.has(final) ? this.size().rows : LOOPING_COLUMNS.has(final) ? this.size().cols : MAX_VALUE;
      return `${ESC}[${this.paramText(nums, limit)}${final}`;
    }
    if (this.prefix === '?' && this.intermediates === '') {
      if (final === 'J' || final === 'K') return nums[0] === 3 ? this.drop('erase scrollback') : `${ESC}[?${this.paramText(nums, MAX_VALUE)}${final}`;
      if (final === 'h' || final === 'l') {
        const kept = nums.filter((n): n is number => n !== undefined && DEC_MODES.has(n));
        if (kept.length < nums.length) this.drop('private mode');
        if (kept.length === 0) return '';
        for (const n of kept) {
          if (ALT_MODES.has(n)) this.alternate = final === 'h';
          if (n === 6) this.margins = true;
        }
        return `${ESC}[?${kept.join(';')}${final}`;
      }
      return this.drop(`CSI ? ${final}`);
    }
    if (this.prefix === '' && this.intermediates === '!' && final === 'p') {
      this.margins = true;
      return `${ESC}[!p`;
    }
    return this.drop(`CSI ${this.prefix}${this.intermediates}${final}`);
  }

  private paramText(nums: Array<number | undefined>, limit: number): string {
    let s = '';
    nums.forEach((n, i) => {
      if (n !== undefined) s += String(Math.min(n, Math.max(limit, 1)));
      if (i < this.seps.length) s += this.seps[i];
    });
    return s;
  }

  /** SGR with the concealed attribute (8) taken out; colour arguments are left alone. */
  private sgr(): string {
    const raw = this.params;
    const kept: string[] = [];
    const seps: string[] = [];
    let dropped = false;
    for (let i = 0; i < raw.length; i++) {
      const p = raw[i]!;
      const sep = this.seps[i];
      // 38;5;N and 38;2;R;G;B (and 48, 58): their arguments are not attributes.
      if ((p === '38' || p === '48' || p === '58') && sep === ';') {
        const mode = raw[i + 1];
        const take = mode === '5' ? 2 : mode === '2' ? 4 : 0;
        for (let j = 0; j <= take && i + j < raw.length; j++) {
          kept.push(String(Math.min(Number(raw[i + j] || 0), 255)));
          seps.push(this.seps[i + j] ?? ';');
        }
        i += take;
        continue;
      }
      if (p === '8') {
        dropped = true;
        this.drop('concealed text');
        continue;
      }
      kept.push(p === '' ? '' : String(Math.min(Number(p), MAX_VALUE)));
      seps.push(sep ?? ';');
    }
    // `CSI m` alone resets every attribute: a sequence that only concealed must not become that.
    if (dropped && kept.length === 0) return '';
    let s = '';
    kept.forEach((p, i) => {
      s += p;
      if (i < kept.length - 1) s += seps[i] ?? ';';
    });
    return `${ESC}[${s}m`;
  }
}
