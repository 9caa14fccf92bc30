// Keeps V8's compiled code for b0s's own files between runs. Node 20 compiles every file it
// loads from source at each start, and each function again as it first runs; V8 can hand
// back what it compiled (a code cache) and take it again in the next run.
//
// Node 22 has this built in (module.enableCompileCache), but it writes the cache as the
// process exits, after b0s has changed V8 flags (src/main.ts): V8 refuses a cache made
// under other flags, so every run would compile and write it again. Here the cache is
// written before the flags change, and what loads after that is compiled as usual.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

export interface CompileCacheOptions {
  /** The user's cache folder for b0s. */
  root: string;
  /** The folder of the files to cache. Their names hold a hash of their content. */
  codeDir: string;
  /**
   * Names the build: b0s's version, Node's version and the CPU. V8 checks its own version,
   * its flags and the source's length before taking a cache, and the file names tell
   * content apart, so what is kept for one build is never taken for another's code.
   */
  build: string;
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
  buildDir: string;
  dir: string;
  codeDir: string;
  compile: LoadingModule['_compile'];
  unsaved: { script: Script; file: string }[];
}

let cache: Cache | undefined;

/** From now on, the files in codeDir load with the code V8 compiled for them in an earlier run of the kind. */
export function startCompileCache({ root, codeDir, build, kind }: CompileCacheOptions): void {
  if (cache) return;
  const proto = Module.prototype as unknown as LoadingModule;
  const buildDir = path.join(root, 'compile', build);
  const active: Cache = { buildDir, dir: path.join(buildDir, kind), codeDir, compile: proto._compile, unsaved: [] };
  cache = active;
  proto._compile = function compileWithCache(this: LoadingModule, content, filename, ...rest) {
    if (path.dirname(filename) !== codeDir) return active.compile.call(this, content, filename, ...rest);
    const file = path.join(active.dir, path.basename(filename));
    const cachedData = readIfThere(file);
    // Node's own wrapper, shifted back so that positions in stack traces stay the file's.
    const script = new Script(Module.wrap(content), { filename, cachedData, columnOffset: -Module.wrap('').indexOf('\n') });
    if (cachedData === undefined || script.cachedDataRejected) active.unsaved.push({ script, file });
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
  if (active.unsaved.length === 0) return;
  // A cache that cannot be written (a read-only home, a full disk, a file size limit)
  // only costs the next run the time it would have saved.
  try {
    const created = mkdirSync(active.dir, { recursive: true, mode: 0o700 });
    // A new build's folder: the older builds' will not be used again.
    if (created !== undefined && created.length <= active.buildDir.length) removeOtherBuilds(active.buildDir);
  } catch {
    return;
  }
  for (const { script, file } of active.unsaved) {
    // Written whole under another name first: a run starting meanwhile never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    try {
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      renameSync(partial, file);
    } catch {
      removeQuietly(partial);
      return;
    }
  }
}

function removeOtherBuilds(buildDir: string): void {
  const builds = path.dirname(buildDir);
  for (const name of readdirSync(builds)) {
    if (name !== path.basename(buildDir)) rmSync(path.join(builds, name), { recursive: true, force: true });
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Left for the next build's folder to replace.
  }
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** The `require` a file gets: b0s's files only ever call it (scripts/build.mjs checks). */
function requireFor(module: LoadingModule): (id: string) => unknown {
  return (id) => module.require(id);
}
