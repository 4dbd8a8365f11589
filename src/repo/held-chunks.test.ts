import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CIPHER_OVERHEAD, IV_BYTES } from '../crypto/authenticated-cipher.js';
import { HeldChunks } from './held-chunks.js';

describe('HeldChunks', () => {
  test('held bytes follow hold and release, and every chunk keeps its bytes and its box until freed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ hold: fc.integer({ min: 1, max: 900 }) }), fc.record({ release: fc.nat({ max: 4 }) })), { maxLength: 120 }), (ops) => {
        const held = new HeldChunks(4096);
        const live: { ticket: number; plain: Buffer; fill: number }[] = [];
        let fill = 0;
        for (const op of ops) {
          if ('hold' in op) {
            const plain = held.buffers.alloc(op.hold);
            assert.equal(plain.length, op.hold);
            const box = held.boxOf(plain);
            assert.equal(box.length, op.hold + CIPHER_OVERHEAD, 'room for the IV and the MAC');
            assert.equal(box.byteOffset + IV_BYTES, plain.byteOffset);
            fill = (fill + 1) & 0xff;
            plain.fill(fill);
            const ticket = held.hold(`id${fill}`, plain);
            assert.ok(ticket < 0, 'chunks read on the worker get negative tickets');
            live.push({ ticket, plain, fill });
          } else if (live.length > 0) {
            const [gone] = live.splice(Math.min(op.release, live.length - 1), 1);
            const h = held.take(gone!.ticket);
            assert.ok(h.plain.every((b) => b === gone!.fill), 'a held chunk is not overwritten by later ones');
            held.free(h.plain);
            assert.equal(held.release(gone!.ticket), undefined, 'a ticket is taken once');
          }
          assert.equal(held.bytes, live.reduce((n, l) => n + l.plain.length, 0));
        }
      }),
    );
  });

  test('roomFor: true when nothing is held whatever the size; otherwise only when the arena has room', () => {
    const held = new HeldChunks(1024);
    assert.equal(held.roomFor(10_000), true, 'an empty arena never blocks (a chunk too big is allocated apart)');
    const a = held.buffers.alloc(600);
    const t = held.hold('a', a);
    assert.equal(held.roomFor(600), false);
    assert.equal(held.roomFor(100), true);
    held.free(held.take(t).plain);
    assert.equal(held.roomFor(600), true);
  });

  test('take of an unknown ticket is an INTERNAL error; blobs the main thread sent are held apart from the count', () => {
    const held = new HeldChunks(1024);
    assert.throws(() => held.take(-5), /INTERNAL|no held blob/);
    held.holdSent(7, 'x', new Uint8Array(100));
    assert.equal(held.bytes, 0);
    assert.equal(held.takeSent(7)?.id, 'x');
    assert.equal(held.takeSent(7), undefined);
  });

  test('changed resolves at the next wake', async () => {
    const held = new HeldChunks(1024);
    let woke = false;
    const p = held.changed().then(() => (woke = true));
    await Promise.resolve();
    assert.equal(woke, false);
    held.wake();
    await p;
    assert.equal(woke, true);
  });
});
