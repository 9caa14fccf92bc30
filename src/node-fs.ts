// The World's file system, on node:fs. main.ts uses it; tests use it too, so the code
// that writes `-O` files and reads token files is the same in both.
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AppendFile, FileSystem } from './world';

// Loaded on first use: most runs (--help, a list with the token in the environment) touch
// no file, and these two modules would cost every start about a tenth of Node's own.
const fsp = () => import('node:fs/promises');

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** link(2) answers these on file systems without hard links (FAT, some network mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export const nodeFileSystem: FileSystem = {
  async readRegularFile(file, maxBytes) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer. The type is then checked on
    // the open file itself, so nothing can be swapped in after the check.
    const { open } = await fsp();
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw failure('EISDIR', 'is a directory', file);
      if (!st.isFile()) throw failure('EFTYPE', 'is not a regular file', file);
      if (st.size > maxBytes) throw failure('EFBIG', `holds more than ${maxBytes} bytes`, file);
      // One byte more than allowed tells a file at the cap from one that grew past it.
      const buf = Buffer.alloc(maxBytes + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
        length += bytesRead;
        if (bytesRead === 0 || length === buf.length) break;
      }
      if (length > maxBytes) throw failure('EFBIG', `holds more than ${maxBytes} bytes`, file);
      return { data: buf.subarray(0, length), mode: st.mode };
    } finally {
      await handle.close();
    }
  },

  async stat(file) {
    const { stat } = await fsp();
    return { mode: (await stat(file)).mode };
  },

  async writeFile(file, data, { exclusive }) {
    const [{ open, realpath, stat, unlink }, { randomBytes }] = await Promise.all([fsp(), import('node:crypto')]);
    const existing = await stat(file).catch(() => undefined);
    if (existing && exclusive) throw failure('EEXIST', 'already exists', file);
    // A device or FIFO (`-O /dev/null --force`, a process substitution) can only be written
    // into: replacing it would be wrong, and as root it would succeed.
    if (existing && !existing.isFile() && !existing.isDirectory()) return writeInto(file, data);
    // Through a symlink, as writing into it would: the file it points to is replaced.
    const target = existing?.isFile() ? await realpath(file) : file;
    const temp = path.join(path.dirname(target), `.${path.basename(target).slice(0, 100)}.${randomBytes(6).toString('hex')}.b0s-tmp`);
    const handle = await open(temp, NEW_FILE, 0o644);
    try {
      try {
        if (existing) await handle.chmod(existing.mode & 0o777);
        await handle.writeFile(data);
        // On disk before it takes the name: a crash must not leave an empty "complete" file.
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await publish(temp, target, exclusive);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
    // The new name on disk too: after a power cut the folder must not still hold the old one.
    await syncFolder(path.dirname(target));
  },

  async openAppend(file) {
    const { open } = await fsp();
    let created = true;
    let handle = await open(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL, 0o644).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      created = false;
      return undefined;
    });
    // A FIFO or device cannot be read back: it is only appended to.
    handle ??= await open(file, constants.O_RDWR | constants.O_APPEND).catch(() => open(file, constants.O_WRONLY | constants.O_APPEND));
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw failure('EISDIR', 'is a directory', file);
      let atLineStart = true;
      if (st.isFile() && st.size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, st.size - 1);
        atLineStart = last[0] === 0x0a;
      }
      return appendFile(handle, file, created, atLineStart, st.isFile());
    } catch (err) {
      await handle.close();
      throw err;
    }
  },

  async createExclusive(file, data) {
    const { open, unlink } = await fsp();
    const handle = await open(file, NEW_FILE, 0o644);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } catch (err) {
      await handle.close();
      await unlink(file).catch(() => {});
      throw err;
    }
    await handle.close();
    await syncFolder(path.dirname(file));
  },

  async remove(file) {
    const { unlink } = await fsp();
    await unlink(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  },

  async mkdir(folder) {
    const { mkdir } = await fsp();
    await mkdir(folder, { recursive: true, mode: 0o700 });
  },
};

function appendFile(handle: FileHandle, file: string, created: boolean, atLineStart: boolean, regular: boolean): AppendFile {
  return {
    created,
    atLineStart,
    async append(data) {
      // One write(2) for the whole chunk: with O_APPEND it lands at the end in one piece.
      const bytes = Buffer.from(data, 'utf8');
      let done = 0;
      while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
    },
    async sync() {
      // A FIFO or a terminal has nothing to flush to disk.
      if (!regular) return;
      await handle.datasync();
      if (created) {
        await syncFolder(path.dirname(file));
        created = false;
      }
    },
    close: () => handle.close(),
  };
}

/** fsync of a folder, so a name just created or replaced in it survives a power cut. */
async function syncFolder(folder: string): Promise<void> {
  const { open } = await fsp();
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot open or sync a folder (Windows, some network mounts).
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Gives the finished temporary file its final name. Without `exclusive`, rename(2)
 * replaces atomically. With it, link(2) fails with EEXIST rather than replace a file that
 * appeared meanwhile: "never overwrite" is the kernel's decision, not a check that can race.
 */
async function publish(temp: string, target: string, exclusive: boolean): Promise<void> {
  const { link, open, rename, unlink } = await fsp();
  if (!exclusive) return rename(temp, target);
  try {
    await link(temp, target);
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    // No hard links here: claim the name with O_EXCL, then put the data in its place.
    await (await open(target, NEW_FILE, 0o644)).close();
    try {
      await rename(temp, target);
    } catch (renameErr) {
      await unlink(target).catch(() => {});
      throw renameErr;
    }
    return;
  }
  await unlink(temp).catch(() => {});
}

async function writeInto(file: string, data: Uint8Array | string): Promise<void> {
  const { open } = await fsp();
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

function failure(code: string, what: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${file} ${what}`), { code, path: file });
}
