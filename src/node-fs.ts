// The World's file system, on node:fs. main.ts uses it; tests use it too, so the code
// that writes `-O` files and reads token files is the same in both.
import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { FileSystem } from './world';

export const nodeFileSystem: FileSystem = {
  readFile: (path) => readFile(path),
  async stat(path) {
    return { mode: (await stat(path)).mode };
  },
  async writeFile(path, data, { exclusive }) {
    // O_EXCL: "never overwrite" is decided by the kernel, not by a check that can race.
    const file = await open(path, exclusive ? constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL : 'w', 0o644);
    try {
      await file.writeFile(data);
    } finally {
      await file.close();
    }
  },
};
