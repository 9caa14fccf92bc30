// A gzip stream of `head`, then `size` bytes of `A`, then `tail`, built a megabyte at a
// time (a decompression bomb for tests, without holding the bomb).
import { createGzip } from 'node:zlib';

export async function gzipOf(head: string, size: number, tail: string): Promise<Buffer> {
  const gz = createGzip();
  const parts: Buffer[] = [];
  gz.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise((resolve) => gz.on('end', resolve));
  gz.write(head);
  const block = Buffer.alloc(1024 * 1024, 'A');
  for (let n = 0; n < size; n += block.length) {
    if (!gz.write(block)) await new Promise((resolve) => gz.once('drain', resolve));
  }
  gz.end(tail);
  await done;
  return Buffer.concat(parts);
}
