import { readSync } from 'node:fs';

const MIB = 1024 * 1024;

/**
 * Reads byte ranges of open files into one buffer it keeps: a thread reading pack pieces or
 * restore spans one after another allocates nothing per read. The buffer grows to the
 * largest range asked for (in whole MiB, not doubled, so it stays one range's size).
 */
export class FileRangeReader {
  private buffer = Buffer.alloc(0);

  /** Bytes [offset, offset + length) of `fd`, as a view valid until the next read; undefined when the file ends first. */
  read(fd: number, offset: number, length: number): Uint8Array | undefined {
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafe(Math.ceil(length / MIB) * MIB);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, this.buffer, got, length - got, offset + got);
      if (n === 0) return undefined;
      got += n;
    }
    return this.buffer.subarray(0, length);
  }
}
