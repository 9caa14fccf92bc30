// One export at a time per checkpoint: a lock file beside it, created with O_EXCL (so the
// kernel decides who has it) and holding the owner's process ID, machine and start time.
//
// The stale-lock rule: a lock is stale only when it names a process on this machine that
// is no longer running (b0s was killed, the machine rebooted). Then it is removed, under
// a second O_EXCL file so that two runs cannot both remove it and both go on. A lock
// from another machine, or one b0s cannot read, is never removed: the run refuses and
// says which file to delete once no export is running.
import { FileError } from '../errors';
import { inlineText } from '../text';
import type { FileSystem, HostProcess } from '../world';

export interface Lock {
  /** Notes for stderr (a stale lock removed). */
  notes: string[];
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  hostname: string;
  started: string;
}

const MAX_LOCK_BYTES = 4096;

export async function acquireLock(fs: FileSystem, host: HostProcess, file: string, now: number): Promise<Lock> {
  const lockFile = `${file}.lock`;
  const mine: Holder = { pid: host.pid, hostname: host.hostname, started: new Date(now).toISOString() };
  const content = `${JSON.stringify(mine)}\n`;
  const notes: string[] = [];
  const name = inlineText(lockFile);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(fs, lockFile, content)) {
      return { notes, release: () => fs.remove(lockFile) };
    }
    const held = await read(fs, lockFile);
    if (held === 'gone') continue;
    if (held === 'unreadable') {
      throw new FileError(`${name} exists but is not a lock b0s can read: if no b0s export is running with this checkpoint, delete it`);
    }
    const { holder, raw } = held;
    const who = `pid ${holder.pid} on ${inlineText(holder.hostname)}, since ${inlineText(holder.started)}`;
    if (holder.hostname !== host.hostname) {
      throw new FileError(`another b0s export (${who}) holds ${name}; b0s cannot tell from here whether it still runs: if it does not, delete ${name}`);
    }
    if (holder.pid === host.pid || host.isRunning(holder.pid)) {
      throw new FileError(`another b0s export (${who}) is using this checkpoint; not starting (if pid ${holder.pid} is not a b0s export, delete ${name})`);
    }
    await breakStale(fs, lockFile, raw, content);
    notes.push(`removed ${name}, left by pid ${holder.pid} (no longer running) since ${inlineText(holder.started)}; its run's events will be exported again`);
  }
  throw new FileError(`cannot take ${name}: other b0s exports keep taking it`);
}

async function create(fs: FileSystem, file: string, content: string): Promise<boolean> {
  try {
    await fs.createExclusive(file, content);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : (err as Error).message;
    throw new FileError(`cannot create the lock ${inlineText(file)}: ${inlineText(why)}`, { cause: err });
  }
}

async function read(fs: FileSystem, file: string): Promise<{ holder: Holder; raw: string } | 'gone' | 'unreadable'> {
  let raw: string;
  try {
    raw = (await fs.readRegularFile(file, MAX_LOCK_BYTES)).data.toString('utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const v = JSON.parse(raw) as Partial<Holder>;
    if (Number.isSafeInteger(v.pid) && (v.pid as number) > 0 && typeof v.hostname === 'string' && typeof v.started === 'string') return { holder: v as Holder, raw };
  } catch {
    // Falls through: not a lock b0s wrote.
  }
  return 'unreadable';
}

/** Removes a stale lock, unless another run is doing the same or the lock changed meanwhile. */
async function breakStale(fs: FileSystem, lockFile: string, stale: string, content: string): Promise<void> {
  const breaker = `${lockFile}.break`;
  if (!(await create(fs, breaker, content))) {
    throw new FileError(`another b0s export is taking over ${inlineText(lockFile)} (${inlineText(breaker)} exists; if no b0s export runs, delete both)`);
  }
  try {
    const now = await read(fs, lockFile);
    if (typeof now === 'object' && now.raw === stale) await fs.remove(lockFile);
  } finally {
    await fs.remove(breaker);
  }
}
