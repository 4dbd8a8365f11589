import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { batchRanges, prefixRanges, type ParentChunk } from './changed-prefix.js';

const MiB = 1024 * 1024;
const arbParent = fc.array(
  fc.record({ id: fc.string({ minLength: 4, maxLength: 4 }), length: fc.integer({ min: 1, max: 9 * MiB }) }),
  { maxLength: 40 },
);

describe('prefixRanges', () => {
  test('the parent chunks from the start, contiguous, without the last, none past the present size', () => {
    fc.assert(
      fc.property(arbParent, fc.integer({ min: 0, max: 400 * MiB }), (parent: ParentChunk[], size) => {
        const ranges = prefixRanges(parent, size);
        assert.ok(ranges.length <= Math.max(0, parent.length - 1), 'the last chunk (cut by the end of the file) is never taken');
        let at = 0;
        ranges.forEach((r, i) => {
          assert.deepEqual(r, { start: at, length: parent[i]!.length, id: parent[i]!.id });
          at += r.length;
        });
        assert.ok(at <= size, 'every range lies within the file as it is now');
        // Stops only at the last chunk or at the first that would pass the end.
        const next = parent[ranges.length];
        if (ranges.length < parent.length - 1) assert.ok(at + next!.length > size);
      }),
    );
  });
});

describe('batchRanges', () => {
  test('the batches, in order, are the ranges; a batch is closed once it holds 16 MiB', () => {
    fc.assert(
      fc.property(arbParent, (parent) => {
        const ranges = prefixRanges(parent, Number.MAX_SAFE_INTEGER);
        const batches = batchRanges(ranges);
        assert.deepEqual(batches.flat(), ranges);
        for (const [i, b] of batches.entries()) {
          assert.ok(b.length > 0, 'no empty batch');
          const bytes = b.reduce((n, r) => n + r.length, 0);
          const withoutLast = bytes - b[b.length - 1]!.length;
          assert.ok(withoutLast < 16 * MiB, 'a batch takes no range after reaching 16 MiB');
          if (i < batches.length - 1) assert.ok(bytes >= 16 * MiB, 'a batch is closed only when full');
        }
      }),
    );
  });
});
