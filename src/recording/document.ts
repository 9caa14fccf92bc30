// `--format json`: a recording as data for a script, parsed but not rendered. A terminal
// recording is its header and events (v1 and v3 converted to v2's absolute times); a log
// is its records, one JSON value per line as the server wrote it; anything else is its
// text. A line of a log that is not JSON is kept as the string it was, not dropped.

import { parseAsciicast } from './asciicast';
import { sniffKind } from './kind';

export type RecordingDocument =
  | { kind: 'terminal'; header: Record<string, unknown>; events: Array<[number, string, string]> }
  | { kind: 'log'; records: unknown[] }
  | { kind: 'text'; text: string };

export function recordingDocument(type: string | null | undefined, text: string): RecordingDocument {
  const kind = sniffKind(type, text);
  if (kind === 'terminal') {
    const cast = parseAsciicast(text);
    return { kind: 'terminal', header: { ...cast.header }, events: cast.events };
  }
  if (kind === 'text') return { kind: 'text', text };
  const records: unknown[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      records.push(line);
    }
  }
  return { kind: 'log', records };
}
