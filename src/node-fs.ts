// The World's file system, on node:fs. main.ts uses it; tests use it too, so the code
// that writes `-O` files and reads token files is the same in both.
import { constants } from 'node:fs';
import path from 'node:path';
import type { FileSystem } from './world';

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
  },
};

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
