// stdout written to its file descriptor directly: bytes in order, failures reported as a
// stream reports them, and Node's stream taking over where a direct write could wait.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DirectOutput, directOutput, PIPE_DIRECT_BYTES } from '../src/direct-output';
import { useTempDir } from './helpers/tmp';

const tmp = useTempDir();

/** A stand-in for process.stdout that keeps what it is given, and is full after `room` bytes. */
function slowStream(room: number) {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: room,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      setImmediate(cb);
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => Buffer.concat(chunks).toString() };
}

/** A write(2) that takes at most `max` bytes a call, then fails with `code` once `failAfter` bytes went out. */
function fakeWrite(max: number, failAfter = Infinity, code = 'EAGAIN') {
  const out: Buffer[] = [];
  let total = 0;
  const write = (_fd: number, data: Uint8Array) => {
    if (total >= failAfter) throw Object.assign(new Error(code), { code });
    const n = Math.min(max, data.length, failAfter - total);
    out.push(Buffer.from(data.subarray(0, n)));
    total += n;
    return n;
  };
  return { write, text: () => Buffer.concat(out).toString() };
}

const written = (out: DirectOutput, text: string) => new Promise<Error | null | undefined>((resolve) => out.write(text, resolve));

describe('direct output', () => {
  it('a regular file: every byte, in order, each write acknowledged', async () => {
    const file = path.join(tmp('file'), 'out.txt');
    const fd = openSync(file, 'w');
    try {
      const out = directOutput(fd, () => {
        throw new Error('a file never needs the stream');
      });
      expect(out).toBeInstanceOf(DirectOutput);
      const big = 'x'.repeat(3 * PIPE_DIRECT_BYTES);
      expect(out?.write('a\n')).toBe(true);
      expect(await written(out as DirectOutput, big)).toBeNull();
      expect(await written(out as DirectOutput, 'ü\n')).toBeNull();
      expect(readFileSync(file, 'utf8')).toBe(`a\n${big}ü\n`);
    } finally {
      closeSync(fd);
    }
  });

  it('a terminal or a device is left to Node: /dev/null is not written directly', () => {
    const fd = openSync('/dev/null', 'w');
    try {
      expect(directOutput(fd, () => process.stdout)).toBeUndefined();
    } finally {
      closeSync(fd);
    }
  });

  it('a pipe: the first 64 KiB directly, then the stream, with nothing lost or reordered', async () => {
    const fifo = path.join(tmp('fifo'), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, 'w');
    try {
      const slow = slowStream(1024);
      const out = directOutput(writer, () => slow.stream) as DirectOutput;
      const first = 'a'.repeat(PIPE_DIRECT_BYTES - 10);
      expect(await written(out, first)).toBeNull();
      // Over the budget: this one and all after it go to the stream.
      expect(await written(out, 'b'.repeat(20))).toBeNull();
      out.write('c');
      expect(await written(out, '')).toBeNull();
      const buf = Buffer.alloc(PIPE_DIRECT_BYTES);
      expect(buf.toString('utf8', 0, readSync(reader, buf))).toBe(first);
      expect(slow.text()).toBe(`${'b'.repeat(20)}c`);
    } finally {
      closeSync(writer);
      closeSync(reader);
    }
  });

  it('a full non-blocking pipe (EAGAIN) mid-write: the rest goes to the stream, and its drain is heard', async () => {
    const direct = fakeWrite(7, 10);
    const slow = slowStream(4);
    const out = new DirectOutput(1, PIPE_DIRECT_BYTES, () => slow.stream, direct.write);
    const ok = out.write('0123456789abcdef');
    expect(ok).toBe(false);
    expect(out.writableNeedDrain).toBe(true);
    await new Promise<void>((resolve) => out.once('drain', resolve));
    expect(direct.text()).toBe('0123456789');
    expect(slow.text()).toBe('abcdef');
  });

  for (const code of ['EPIPE', 'ENOSPC']) {
    it(`${code}: the callback and an 'error' event, on a later tick; later writes fail too`, async () => {
      const direct = fakeWrite(100, 5, code);
      const out = new DirectOutput(1, Infinity, () => {
        throw new Error('not handed over on a failure');
      }, direct.write);
      const errors: NodeJS.ErrnoException[] = [];
      out.on('error', (err) => errors.push(err));
      let called: Error | null | undefined;
      expect(out.write('hello world', (err) => (called = err))).toBe(false);
      // Not yet: a stream reports its failures asynchronously, and callers rely on it.
      expect(errors).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors.map((e) => e.code)).toEqual([code]);
      expect((called as NodeJS.ErrnoException).code).toBe(code);
      expect(out.destroyed).toBe(true);
      expect(((await written(out, 'more')) as NodeJS.ErrnoException).code).toBe('ERR_STREAM_DESTROYED');
      expect(direct.text()).toBe('hello');
    });
  }
});
