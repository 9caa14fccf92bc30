// Keeps V8's compiled code for b0s's own files between runs. Node 20 compiles every file it
// loads from source at each start, and each function again as it first runs; V8 can hand
// back what it compiled (a code cache) and take it again in the next run.
//
// Node 22 has this built in (module.enableCompileCache), but it writes the cache as the
// process exits, after b0s has changed V8 flags (src/main.ts): V8 refuses a cache made
// under other flags, so every run would compile and write it again. Here the cache is
// written before the flags change, and what loads after that is compiled as usual.
//
// What V8 itself checks before taking a cache back is its own version, its flags and the
// source's length: not the source's content, and not the cache's (a damaged cache is a
// fatal V8 error, at every run). So each file here starts with a header that ties it to
// its source file as it is on disk and holds a checksum of the rest, and b0s uses only
// folders and files that are the user's own and that nobody else can write to.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

export interface CompileCacheOptions {
  /** The user's cache folder for b0s. */
  root: string;
  /** The folder of the files to cache. */
  codeDir: string;
  /** b0s's version: a new one replaces the older versions' caches. */
  release: string;
  /**
   * The kind of run (the command). A cache holds every function the run had compiled
   * when it was written, and V8 takes all of them back, needed or not. So each kind keeps
   * its own: measured, a one-page list with every file it loads cached took ~7 ms less
   * than with only its two large files cached, while `--help` ran ~2 ms slower with the
   * caches a list had left.
   */
  kind: string;
}

/** The part of Node's Module that loading a file goes through (not in @types/node). */
interface LoadingModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string, ...rest: unknown[]): unknown;
}

interface Cache {
  /** The folders from the user's cache folder down to this kind's, made when missing. */
  folders: string[];
  dir: string;
  release: string;
  codeDir: string;
  compile: LoadingModule['_compile'];
  unsaved: { script: Script; file: string; source: Stats }[];
}

/** magic, checksum and length of the payload, then the source's size, modification and change times, and inode. */
const MAGIC = 0xb05c0c02;
const HEADER_BYTES = 48;

let cache: Cache | undefined;

/** From now on, the files in codeDir load with the code V8 compiled for them in an earlier run of the kind. */
export function startCompileCache({ root, codeDir, release, kind }: CompileCacheOptions): void {
  // A relative folder would be the current directory's (an empty HOME, a relative XDG_CACHE_HOME).
  if (cache || !path.isAbsolute(root)) return;
  const build = path.join(root, 'compile', `${release}-node${process.versions.node}-${process.arch}`);
  const folders = [path.dirname(root), root, path.join(root, 'compile'), build, path.join(build, kind)];
  // A folder someone else could write to could hold code of theirs: then no cache at all.
  if (!folders.slice(1).every((f) => ownFolder(f, true))) return;
  const proto = Module.prototype as unknown as LoadingModule;
  const active: Cache = { folders, dir: path.join(build, kind), release, codeDir, compile: proto._compile, unsaved: [] };
  cache = active;
  proto._compile = function compileWithCache(this: LoadingModule, content, filename, ...rest) {
    const source = path.dirname(filename) === codeDir ? statIfThere(filename) : undefined;
    if (!source) return active.compile.call(this, content, filename, ...rest);
    const file = path.join(active.dir, path.basename(filename));
    const cachedData = readCache(file, source);
    // Node's own wrapper, shifted back so that positions in stack traces stay the file's.
    const script = new Script(Module.wrap(content), { filename, cachedData, columnOffset: -Module.wrap('').indexOf('\n') });
    if (cachedData === undefined || script.cachedDataRejected) active.unsaved.push({ script, file, source });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
}

/**
 * Writes what was compiled without a usable cache, and stops caching. Called before b0s
 * changes a V8 flag (a cache written after would be refused) or as a run ends well.
 * Code compiled so far includes the functions that have run, so the next run of the kind
 * compiles less than this one did.
 */
export function saveCompileCache(): void {
  const active = cache;
  if (!active) return;
  (Module.prototype as unknown as LoadingModule)._compile = active.compile;
  cache = undefined;
  // Made now, or by someone else since the start: each must be the user's own, and no link.
  if (active.unsaved.length === 0 || !makeFolders(active) || !active.folders.slice(1).every((f) => ownFolder(f))) return;
  for (const { script, file, source } of active.unsaved) {
    const payload = script.createCachedData();
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(crc32(payload), 4);
    header.writeUInt32LE(payload.length, 8);
    writeSourceStamp(header, source);
    // Written whole under another name first: a run starting meanwhile never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    try {
      // Never through a file or link that is already there.
      writeFileSync(partial, Buffer.concat([header, payload]), { mode: 0o600, flag: 'wx' });
      renameSync(partial, file);
    } catch {
      // A cache that cannot be written (a read-only home, a full disk, a file size limit)
      // only costs the next run the time it would have saved.
      removeQuietly(partial);
      return;
    }
  }
}

/**
 * Makes the folders that are missing, one at a time (Node's recursive mkdir never returns
 * under /proc), and when this build's folder is new, removes older releases' folders.
 */
function makeFolders(active: Cache): boolean {
  const build = active.folders[3];
  let buildIsNew = false;
  for (const folder of active.folders) {
    try {
      mkdirSync(folder, { mode: 0o700 });
      if (folder === build) buildIsNew = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
  }
  if (buildIsNew && build) removeOlderReleases(build, active.release);
  return true;
}

/** Another Node version's folder of this release stays: someone switching Node versions uses both. */
function removeOlderReleases(build: string, release: string): void {
  const builds = path.dirname(build);
  try {
    for (const name of readdirSync(builds)) {
      if (!name.startsWith(`${release}-node`)) rmSync(path.join(builds, name), { recursive: true, force: true });
    }
  } catch {
    // Left for the next release to remove.
  }
}

/** The cache for a source file as it is now, when the file is sound and the user's own. */
function readCache(file: string, source: Stats): Buffer | undefined {
  let fd: number;
  try {
    // Not blocking: a FIFO put in its place would wait for a writer forever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || !ownAndClosed(stat) || stat.size <= HEADER_BYTES) return undefined;
    const data = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < data.length) {
      const n = readSync(fd, data, read, data.length - read, read);
      if (n === 0) return undefined;
      read += n;
    }
    const stamp = Buffer.alloc(HEADER_BYTES);
    writeSourceStamp(stamp, source);
    const payload = data.subarray(HEADER_BYTES);
    const sound =
      data.readUInt32LE(0) === MAGIC &&
      data.readUInt32LE(8) === payload.length &&
      data.subarray(12, HEADER_BYTES).equals(stamp.subarray(12)) &&
      data.readUInt32LE(4) === crc32(payload);
    return sound ? payload : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * What ties a cache to its source file as it is on disk: its size, modification time,
 * change time (which no program can set back) and inode.
 */
function writeSourceStamp(header: Buffer, source: Stats): void {
  header.writeUInt32LE(0, 12);
  header.writeDoubleLE(source.size, 16);
  header.writeDoubleLE(source.mtimeMs, 24);
  header.writeDoubleLE(source.ctimeMs, 32);
  header.writeDoubleLE(source.ino, 40);
}

/**
 * A folder that is the user's own and closed to others (or, when `missing` allows, not
 * there yet). A link to one counts when the link itself is the user's too: a link someone
 * else made could be pointed elsewhere between this check and the write.
 */
function ownFolder(folder: string, missing = false): boolean {
  let link: Stats;
  try {
    link = lstatSync(folder);
  } catch (err) {
    return missing && (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
  try {
    if (link.isSymbolicLink() && !ownAndClosed(link, false)) return false;
    const stat = link.isSymbolicLink() ? statSync(folder) : link;
    return stat.isDirectory() && ownAndClosed(stat);
  } catch {
    return false;
  }
}

/** The user's own, and (unless a link, whose mode means nothing) writable by nobody else, where the platform has owners. */
function ownAndClosed(stat: Stats, checkMode = true): boolean {
  const uid = process.getuid?.();
  return uid === undefined || (stat.uid === uid && (!checkMode || (stat.mode & 0o022) === 0));
}

function statIfThere(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Left for the next release's folder to replace.
  }
}

/** The `require` a file gets: b0s's files only ever call it (scripts/build.mjs checks). */
function requireFor(module: LoadingModule): (id: string) => unknown {
  return (id) => module.require(id);
}
