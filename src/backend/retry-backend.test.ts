import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLifeboatError, type ErrorCode } from '../errors/index.js';
import { hashId, type Handle } from '../model/index.js';
import type { FileInfo } from './backend.js';
import { runBackendContract } from './backend.contract.js';
import { faulty, type FaultPlan } from './faulty-backend.js';
import { MemBackend } from './mem-backend.js';
import { withRetry, type RetryOptions } from './retry-backend.js';

const snap = (i: number): Handle => ({ type: 'snapshot', name: hashId(new Uint8Array([i])) });

/** A mem backend holding three snapshots, behind `faulty(plan)` and `withRetry`; sleeps are recorded, not waited. */
async function setup(plan: FaultPlan, opts: Partial<RetryOptions> = {}) {
  const mem = new MemBackend();
  for (let i = 0; i < 3; i++) await mem.save(snap(i), new Uint8Array([i]));
  const inner = faulty(mem, plan);
  const sleeps: number[] = [];
  const b = withRetry(inner, { attempts: 5, baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms), ...opts });
  return { mem, inner, b, sleeps };
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => isLifeboatError(e, code));
}

async function names(it: AsyncIterable<FileInfo>): Promise<string[]> {
  const out = [];
  for await (const i of it) out.push(i.name);
  return out.sort();
}

runBackendContract('retry(mem)', async () => ({
  backend: withRetry(new MemBackend(), { attempts: 3, baseDelayMs: 1, sleep: async () => {} }),
  cleanup: async () => {},
}));

describe('withRetry', () => {
  it('retries a transient error twice, then succeeds with 3 calls', async () => {
    const { inner, b, sleeps } = await setup({ faults: [{ op: 'load', nth: [1, 2] }] });
    assert.deepEqual([...(await b.load(snap(1)))], [1]);
    assert.equal(inner.calls.load, 3);
    assert.equal(sleeps.length, 2);
  });

  it('does not retry a permanent error', async () => {
    for (const code of ['BACKEND_NO_SPACE', 'BACKEND_PERMISSION_DENIED', 'BACKEND_NOT_FOUND', 'INVALID_DATA'] as const) {
      const { inner, b, sleeps } = await setup({ faults: [{ op: 'save', code }] });
      await rejectsWith(b.save(snap(9), new Uint8Array([9])), code);
      assert.equal(inner.calls.save, 1, code);
      assert.deepEqual(sleeps, []);
    }
    const { inner, b } = await setup({});
    await rejectsWith(b.load({ type: 'snapshot', name: 'nope' }), 'INVALID_ARGUMENT');
    assert.equal(inner.calls.load, 1);
  });

  it('retries errors nobody classified', async () => {
    let thrown = false;
    const beforeOp = () => {
      if (!thrown) {
        thrown = true;
        throw new Error('socket hang up');
      }
    };
    const { inner, b } = await setup({ beforeOp });
    assert.equal((await b.stat(snap(0))).size, 1);
    assert.equal(inner.calls.stat, 2);
  });

  it('gives up after `attempts` calls with the last error', async () => {
    const { inner, b, sleeps } = await setup({ faults: [{ op: 'load' }] }, { attempts: 4 });
    await rejectsWith(b.load(snap(0)), 'BACKEND_IO');
    assert.equal(inner.calls.load, 4);
    assert.equal(sleeps.length, 3);
  });

  it('backs off exponentially with jitter in [d/2, d], capped at maxDelayMs', async () => {
    const faults = [{ op: 'load' as const }];
    const low = await setup({ faults }, { attempts: 6, random: () => 0, maxDelayMs: 1000 });
    await rejectsWith(low.b.load(snap(0)), 'BACKEND_IO');
    assert.deepEqual(low.sleeps, [50, 100, 200, 400, 500]);
    const high = await setup({ faults }, { attempts: 6, random: () => 0.999999, maxDelayMs: 1000 });
    await rejectsWith(high.b.load(snap(0)), 'BACKEND_IO');
    assert.deepEqual(high.sleeps, [100, 200, 400, 800, 1000]);
  });

  it('reports each retry', async () => {
    const seen: string[] = [];
    const { b } = await setup({ faults: [{ op: 'stat', nth: 1 }] }, { onRetry: (i) => seen.push(`${i.op}#${i.attempt}`) });
    await b.stat(snap(0));
    assert.deepEqual(seen, ['stat#1']);
  });

  it('retries a listing that failed before yielding anything', async () => {
    const { inner, b } = await setup({ faults: [{ op: 'list', nth: 1 }] });
    assert.equal((await names(b.list('snapshot'))).length, 3);
    assert.equal(inner.calls.list, 2);
  });

  it('never retries a listing after it yielded something', async () => {
    const { inner, b } = await setup({ faults: [{ op: 'list', afterItems: 1 }] });
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const i of b.list('snapshot')) got.push(i.name);
    }, (e: unknown) => isLifeboatError(e, 'BACKEND_IO'));
    assert.equal(got.length, 1);
    assert.equal(inner.calls.list, 1);
  });

  it('treats "not found" on a retried remove as done (the first attempt removed it, its answer was lost)', async () => {
    const { mem, inner, b } = await setup({ faults: [{ op: 'remove', nth: 1, when: 'after' }] });
    await b.remove(snap(0));
    assert.equal(inner.calls.remove, 2);
    await rejectsWith(mem.stat(snap(0)), 'BACKEND_NOT_FOUND');
    // Without an earlier failure, a missing file is still reported.
    await rejectsWith(b.remove(snap(7)), 'BACKEND_NOT_FOUND');
  });

  it('rejects a nonsensical attempts count', () => {
    for (const attempts of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => withRetry(new MemBackend(), { attempts, baseDelayMs: 1 }), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    }
  });

  it('passes location and close through, without retrying close', async () => {
    const inner = faulty(new MemBackend('mem:x'), { faults: [{ op: 'close', nth: 1 }] });
    const b = withRetry(inner, { attempts: 3, baseDelayMs: 1, sleep: async () => {} });
    assert.equal(b.location, 'mem:x');
    await rejectsWith(b.close(), 'BACKEND_IO');
    assert.equal(inner.calls.close, 1);
  });
});
