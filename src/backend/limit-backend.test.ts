import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { hashId, type FileType, type Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { runBackendContract } from './backend.contract.js';
import { withConcurrencyLimit } from './limit-backend.js';
import { MemBackend } from './mem-backend.js';

/** Wraps a backend and measures how many of its calls overlap; each call takes a few event-loop turns. */
function counting(b: Backend, turns = 3) {
  const stats = { inFlight: 0, max: 0, calls: 0 };
  async function track<T>(fn: () => Promise<T>): Promise<T> {
    stats.inFlight++;
    stats.calls++;
    stats.max = Math.max(stats.max, stats.inFlight);
    try {
      for (let i = 0; i < turns; i++) await tick();
      return await fn();
    } finally {
      stats.inFlight--;
    }
  }
  const backend: Backend = {
    location: b.location,
    save: (h: Handle, d: Uint8Array) => track(() => b.save(h, d)),
    load: (h: Handle, r?: ByteRange) => track(() => b.load(h, r)),
    stat: (h: Handle) => track(() => b.stat(h)),
    remove: (h: Handle) => track(() => b.remove(h)),
    create: () => track(() => b.create()),
    close: () => b.close(),
    async *list(type: FileType): AsyncIterable<FileInfo> {
      const all: FileInfo[] = [];
      for await (const i of b.list(type)) all.push(i);
      for (const i of all) yield await track(async () => i);
    },
  };
  return { backend, stats };
}

const h = (i: number): Handle => ({ type: 'data', name: hashId(new Uint8Array([i & 255, i >> 8])) });

runBackendContract('limit(mem, 2)', async () => ({ backend: withConcurrencyLimit(new MemBackend(), 2), cleanup: async () => {} }));

describe('withConcurrencyLimit', () => {
  it('never has more than n operations in flight, and uses all n', async () => {
    const { backend, stats } = counting(new MemBackend());
    const b = withConcurrencyLimit(backend, 3);
    await Promise.all(Array.from({ length: 30 }, (_, i) => b.save(h(i), new Uint8Array(i))));
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => b.load(h(i))),
      ...Array.from({ length: 30 }, (_, i) => b.stat(h(i))),
      (async () => {
        for await (const _ of b.list('data'));
      })(),
    ]);
    await Promise.all(Array.from({ length: 30 }, (_, i) => b.remove(h(i))));
    assert.equal(stats.max, 3);
    assert.equal(stats.inFlight, 0);
  });

  it('holds for any limit and any burst (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 40 }), async (n, count) => {
        const { backend, stats } = counting(new MemBackend(), 2);
        const b = withConcurrencyLimit(backend, n);
        await Promise.all(Array.from({ length: count }, (_, i) => b.save(h(i), new Uint8Array(1))));
        assert.ok(stats.max <= n, `max ${stats.max} > ${n}`);
        assert.equal(stats.max, Math.min(n, count));
        assert.equal(stats.calls, count);
      }),
      { numRuns: 30 },
    );
  });

  it('frees the slot when an operation fails', async () => {
    const b = withConcurrencyLimit(new MemBackend(), 1);
    await assert.rejects(b.load(h(1)), (e: unknown) => isLifeboatError(e, 'BACKEND_NOT_FOUND'));
    await b.save(h(1), new Uint8Array(1));
    assert.equal((await b.stat(h(1))).size, 1);
  });

  it('does not deadlock when a listing consumer calls the backend with n = 1', async () => {
    const b = withConcurrencyLimit(new MemBackend(), 1);
    for (let i = 0; i < 5; i++) await b.save(h(i), new Uint8Array(i + 1));
    let total = 0;
    for await (const info of b.list('data')) total += (await b.load({ type: 'data', name: info.name })).length;
    assert.equal(total, 1 + 2 + 3 + 4 + 5);
  });

  it('rejects a nonsensical limit', () => {
    for (const n of [0, -2, 2.5, Number.NaN]) {
      assert.throws(() => withConcurrencyLimit(new MemBackend(), n), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    }
  });
});
