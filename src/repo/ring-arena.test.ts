import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RingArena } from './ring-arena.js';

/** An operation on the arena: allocate n bytes, or free the k-th oldest live buffer. */
const arbOps = fc.array(fc.oneof(fc.record({ alloc: fc.integer({ min: 1, max: 700 }) }), fc.record({ free: fc.nat({ max: 5 }) })), { maxLength: 300 });

describe('RingArena', () => {
  test('live buffers never overlap and keep their bytes, whatever the order of allocations and frees', () => {
    fc.assert(
      fc.property(arbOps, (ops) => {
        const arena = new RingArena(2048);
        const live: { buf: Buffer; fill: number }[] = [];
        let fill = 0;
        for (const op of ops) {
          if ('alloc' in op) {
            const fits = arena.canAlloc(op.alloc);
            const b = arena.alloc(op.alloc);
            assert.equal(fits, b !== undefined, 'canAlloc says what alloc then does');
            if (!b) continue;
            assert.equal(b.length, op.alloc);
            fill = (fill + 1) & 0xff;
            b.fill(fill);
            live.push({ buf: b, fill });
          } else if (live.length > 0) {
            // Mostly the oldest, sometimes a later one: decisions can come back out of order.
            const [gone] = live.splice(Math.min(op.free, live.length - 1), 1);
            arena.free(gone!.buf);
            assert.equal(arena.owns(gone!.buf), false, 'a freed buffer is no longer owned');
          }
          for (const l of live) assert.ok(l.buf.every((x) => x === l.fill), 'a live buffer was overwritten by a later allocation');
          assert.equal(arena.used, live.reduce((n, l) => n + l.buf.length, 0));
        }
        for (const l of live) arena.free(l.buf);
        assert.equal(arena.used, 0);
        assert.ok(arena.alloc(2048), 'once everything is freed, the whole slab is one piece again');
      }),
    );
  });

  test('refuses what cannot fit in one piece, and gives room back as the oldest pieces are freed', () => {
    const arena = new RingArena(1000);
    assert.equal(arena.alloc(1001), undefined);
    assert.equal(arena.alloc(0), undefined);
    const a = arena.alloc(400)!;
    const b = arena.alloc(400)!;
    assert.equal(arena.alloc(300), undefined, 'only 200 bytes left at the end, none at the front');
    arena.free(a);
    const c = arena.alloc(300)!;
    assert.equal(c.byteOffset - b.byteOffset, -400, 'wrapped to the front, where the freed piece was');
    assert.equal(arena.alloc(150), undefined, 'between the tail (300) and the oldest live piece (400) only 100 bytes');
    assert.ok(arena.alloc(100));
    assert.equal(arena.owns(Buffer.alloc(10)), false, 'a buffer from elsewhere is not the arena\'s');
    arena.free(Buffer.alloc(10)); // ignored
    assert.equal(arena.used, 800);
  });
});
