import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { FileRangeReader } from './file-range-reader.js';

test('FileRangeReader: any range inside the file comes back exactly, any range past its end is undefined', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-range-'));
  try {
    const data = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 31 + (i >> 9)) & 0xff));
    const path = join(dir, 'f');
    writeFileSync(path, data);
    const fd = openSync(path, 'r');
    const reader = new FileRangeReader();
    try {
      fc.assert(
        fc.property(fc.nat(data.length), fc.nat(data.length), (offset, length) => {
          const got = reader.read(fd, offset, length);
          if (offset + length > data.length) assert.equal(got, undefined);
          else assert.deepEqual(Buffer.from(got!), data.subarray(offset, offset + length));
        }),
        { numRuns: 200 },
      );
      assert.equal(reader.read(fd, 0, 0)!.length, 0);
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
