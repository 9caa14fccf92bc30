// The export's checkpoint file: versioned JSON, replaced atomically (a temporary file,
// fsync, rename, fsync of the folder) and only ever read back whole. A file b0s cannot
// vouch for (another version, damaged, not a checkpoint) is refused and left as it is:
// starting over silently would export everything again, or skip what it held.
import { FileError, UsageError } from '../errors';
import { inlineText } from '../text';
import type { FileSystem } from '../world';
import { MAX_AT_HIGH_WATER, MAX_LIVE, type ExportState, type LiveEntry } from './tracker';

const CHECKPOINT_VERSION = 1;
/** Far more than MAX_LIVE entries and MAX_AT_HIGH_WATER IDs take. */
const MAX_CHECKPOINT_BYTES = 32 * 1024 * 1024;

export interface Checkpoint {
  /** The API base URL the sessions came from. */
  api: string;
  /** The list filters, as flags (`--socket prod-ssh --status ended`); empty for none. */
  filters: string;
  /** The events' format (`native`, `ecs`, `ocsf`); absent in a checkpoint written before b0s recorded it. */
  format?: string;
  state: ExportState;
}

interface CheckpointFile {
  b0s_export_checkpoint: number;
  api: string;
  filters: string;
  format?: string;
  high_water: string;
  at_high_water: string[];
  live: LiveEntry[];
  updated_at: string;
}

function serialize(cp: Checkpoint, now: number): string {
  const file: CheckpointFile = {
    b0s_export_checkpoint: CHECKPOINT_VERSION,
    api: cp.api,
    filters: cp.filters,
    format: cp.format,
    high_water: new Date(cp.state.highWater).toISOString(),
    at_high_water: cp.state.atHighWater,
    live: cp.state.live,
    updated_at: new Date(now).toISOString(),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** The checkpoint in `text`, or a FileError that says what is wrong and what to do. */
function parse(text: string, file: string): Checkpoint {
  const name = inlineText(file);
  const damaged = (why: string) => new FileError(`${name} is not a b0s export checkpoint, or is damaged (${why}); it was left as it is: fix or move it, give another --checkpoint, or start over with --reset`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged('not JSON');
  }
  if (!isObject(value) || !('b0s_export_checkpoint' in value)) throw damaged('no b0s_export_checkpoint version');
  const version = value.b0s_export_checkpoint;
  if (version !== CHECKPOINT_VERSION) {
    throw new FileError(
      `${name} is a checkpoint of version ${inlineText(JSON.stringify(version))}, which this b0s does not read (it reads version ${CHECKPOINT_VERSION}); it was left as it is: use the b0s that wrote it, or start over with --reset`,
    );
  }
  const { api, filters, format, high_water: highWater, at_high_water: atHighWater, live } = value;
  if (typeof api !== 'string' || typeof filters !== 'string') throw damaged('api or filters missing');
  if (format !== undefined && typeof format !== 'string') throw damaged('format is not text');
  const since = typeof highWater === 'string' ? Date.parse(highWater) : NaN;
  if (Number.isNaN(since)) throw damaged('high_water is not a time');
  if (!Array.isArray(atHighWater) || atHighWater.length > MAX_AT_HIGH_WATER || !atHighWater.every((k) => typeof k === 'string')) {
    throw damaged('at_high_water is not a list of session IDs');
  }
  if (!Array.isArray(live) || live.length > MAX_LIVE || !live.every(isLiveEntry)) throw damaged('live is not a list of sessions');
  return { api, filters, format, state: { highWater: since, atHighWater, live } };
}

function isLiveEntry(v: unknown): v is LiveEntry {
  return (
    isObject(v) &&
    typeof v.socket_id === 'string' &&
    typeof v.session_id === 'string' &&
    typeof v.start_time === 'string' &&
    (v.socket_name === undefined || typeof v.socket_name === 'string') &&
    typeof v.started === 'boolean' &&
    typeof v.killed === 'boolean'
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The checkpoint in `file`, or undefined when there is none yet. */
export async function readCheckpoint(fs: FileSystem, file: string): Promise<Checkpoint | undefined> {
  let data: Buffer;
  try {
    ({ data } = await fs.readRegularFile(file, MAX_CHECKPOINT_BYTES));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const why = code === 'EISDIR' ? 'it is a folder' : code === 'EFTYPE' ? 'it is not a regular file' : code === 'EFBIG' ? 'it is too large to be one' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new FileError(`cannot read the checkpoint ${inlineText(file)}: ${inlineText(why)}`, { cause: err });
  }
  return parse(data.toString('utf8'), file);
}

export async function writeCheckpoint(fs: FileSystem, file: string, cp: Checkpoint, now: number): Promise<void> {
  try {
    await fs.writeFile(file, serialize(cp, now), { exclusive: false });
  } catch (err) {
    throw new FileError(`cannot write the checkpoint ${inlineText(file)}: ${inlineText((err as Error).message)}; the events of this run will be exported again next time`, { cause: err });
  }
}

/**
 * A checkpoint made for another API or other filters would skip or repeat sessions; one
 * made for another format is another export of the same sessions (to a SIEM that wants
 * that format), which would start where the first one stopped. The destination is not
 * compared: a file name with the date in it, or a receiver that moved, is the same export.
 */
export function checkSameExport(cp: Checkpoint, api: string, filters: string, format: string, file: string): void {
  const name = inlineText(file);
  if (cp.api !== api) {
    throw new UsageError(`${name} is the checkpoint of an export from ${inlineText(cp.api)}, not ${inlineText(api)}: give this export its own --checkpoint FILE (or start over with --reset)`);
  }
  if (cp.filters !== filters) {
    const was = cp.filters === '' ? 'no filters' : inlineText(cp.filters);
    const now = filters === '' ? 'none' : inlineText(filters);
    throw new UsageError(`${name} is the checkpoint of an export with ${was}, not ${now}: give this export its own --checkpoint FILE (or start over with --reset)`);
  }
  if (cp.format !== undefined && cp.format !== format) {
    throw new UsageError(`${name} is the checkpoint of an export in ${inlineText(cp.format)} format, not ${inlineText(format)}: give this export its own --checkpoint FILE (or start over with --reset)`);
  }
}
