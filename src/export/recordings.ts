// --with-recordings: what was typed or queried in a session, embedded in its
// session.ended event so a SIEM can search it. Each recording becomes the text
// `b0s replay` prints (terminal screens, one line per query or request) and, for logs,
// one object per line as recorded. Both are capped, so one huge session cannot make an
// event that no shipper or collector accepts.
import type { Border0Client } from '../api/client';
import type { Recording, Session } from '../api/types';
import { FormatError, NotFoundError } from '../errors';
import type { EmbeddedRecording } from './events';

/** Characters of text per recording. */
export const MAX_EMBEDDED_TEXT = 1024 * 1024;
/** Log entries per recording. */
export const MAX_EMBEDDED_RECORDS = 10_000;
/** Lines a terminal recording printed and then hid, per recording. */
export const MAX_EMBEDDED_HIDDEN = 1000;

export async function embedRecordings(client: Border0Client, s: Session, signal: AbortSignal): Promise<EmbeddedRecording[]> {
  const recordings = (Array.isArray(s.recordings) ? s.recordings : []).filter((r): r is Recording => typeof r?.recording_id === 'string');
  const out: EmbeddedRecording[] = [];
  // One session's recordings one after the other: sessions are fetched side by side.
  for (const r of recordings) out.push(await embed(client, s, r, signal));
  return out;
}

async function embed(client: Border0Client, s: Session, r: Recording, signal: AbortSignal): Promise<EmbeddedRecording> {
  const base: EmbeddedRecording = { recording_id: r.recording_id, recording_type: r.recording_type ?? null, start_time: r.start_time ?? null };
  if (r.recording_type === 'browser_session_stream') return { ...base, error: 'a browser session stream has no text form' };
  const rec = await import('../recording');
  try {
    const reply = await client.sessionLog(s.socket_id, s.session_id, r.recording_id, signal);
    const decoded = rec.decodeRecordingBody(reply.body, String(reply.headers['content-type'] ?? ''));
    const rendered = await rec.renderRecording(r.recording_type, decoded, { signal });
    const out: EmbeddedRecording = { ...base };
    let truncated = false;
    out.text = rendered.text;
    if (out.text.length > MAX_EMBEDDED_TEXT) {
      out.text = out.text.slice(0, MAX_EMBEDDED_TEXT);
      truncated = true;
    }
    if (rendered.hidden.total > 0) {
      out.hidden = rendered.hidden.texts.slice(0, MAX_EMBEDDED_HIDDEN);
      if (rendered.hidden.total > out.hidden.length) truncated = true;
    }
    if (r.recording_type !== 'asciinema' && !isTerminal(decoded)) {
      const lines = rec.parseQueryLog(decoded);
      if (lines.length > MAX_EMBEDDED_RECORDS) truncated = true;
      out.records = lines.slice(0, MAX_EMBEDDED_RECORDS).map((l) => (l.kind === 'query' ? l.entry : { raw: l.text }));
    }
    if (truncated) out.truncated = true;
    return out;
  } catch (err) {
    // A recording that is missing or unreadable must not hold up the export; the API
    // failing does (the run is retried).
    if (err instanceof NotFoundError || err instanceof FormatError) return { ...base, error: err.message };
    throw err;
  }
}

/** An asciicast whose type the API did not say: a header object with a version, or an event array. */
function isTerminal(text: string): boolean {
  const first = text.trimStart().slice(0, 200);
  return /^\{\s*"version"\s*:/.test(first) || first.startsWith('[');
}
