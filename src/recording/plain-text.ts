// Text that is not a recording format (a dump the API made already, or an unknown
// kind) is shown as it is, with anything a terminal would act on made visible.
// Tabs become spaces, as a terminal would show them, so the result holds no control
// character but the newline.

import { multilineText } from '../text';

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}

/** Plain text made safe to print: no trailing blank lines, tabs expanded, controls escaped. */
export function renderPlainText(text: string): string {
  return multilineText(text.replace(/\r\n/g, '\n').trimEnd().split('\n').map(expandTabs).join('\n'));
}
