import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLifeboatError } from '../errors/index.js';
import { hashId, type Handle } from '../model/index.js';
import { runBackendContract } from './backend.contract.js';
import { faulty, type FaultCall } from './faulty-backend.js';
import { MemBackend } from './mem-backend.js';

const h = (type: Handle['type'], i: number): Handle => ({ type, name: hashId(new Uint8Array([i])) });
const one = new Uint8Array([1, 2, 3, 4, 5]);

runBackendContract('faulty(mem) without faults', async () => ({ backend: faulty(new MemBackend(), {}), cleanup: async () => {} }));

describe('faulty', () => {
  it('fails the nth save, and only that one, without writing anything', async () => {
    const mem = new MemBackend();
    const b = faulty(mem, { faults: [{ op: 'save', nth: 2 }] });
    await b.save(h('data', 1), one);
    await assert.rejects(b.save(h('data', 2), one), (e: unknown) => isLifeboatError(e, 'BACKEND_IO') && /injected fault: save of data\//.test(e.message));
    await b.save(h('data', 3), one);
    await assert.rejects(mem.stat(h('data', 2)), (e: unknown) => isLifeboatError(e, 'BACKEND_NOT_FOUND'));
    assert.equal(b.calls.save, 3);
  });

  it('fails saves of one type with a given code, and counts nth per fault', async () => {
    const b = faulty(new MemBackend(), { faults: [{ op: 'save', type: 'index', code: 'BACKEND_NO_SPACE' }, { op: 'load', type: 'data', nth: [1, 3] }] });
    await b.save(h('data', 1), one);
    await b.save(h('snapshot', 1), one);
    await assert.rejects(b.save(h('index', 1), one), (e: unknown) => isLifeboatError(e, 'BACKEND_NO_SPACE'));
    await assert.rejects(b.save(h('index', 2), one), (e: unknown) => isLifeboatError(e, 'BACKEND_NO_SPACE'));
    await b.load(h('snapshot', 1)); // not a data load: not counted by the second fault
    await assert.rejects(b.load(h('data', 1)));
    await b.load(h('data', 1));
    await assert.rejects(b.load(h('data', 1)));
    await b.load(h('data', 1));
  });

  it("'after' performs the call and then fails (a lost acknowledgement)", async () => {
    const mem = new MemBackend();
    const b = faulty(mem, { faults: [{ op: 'save', when: 'after' }, { op: 'remove', when: 'after' }] });
    await assert.rejects(b.save(h('lock', 1), one));
    assert.equal((await mem.stat(h('lock', 1))).size, 5);
    await assert.rejects(b.remove(h('lock', 1)));
    await assert.rejects(mem.stat(h('lock', 1)), (e: unknown) => isLifeboatError(e, 'BACKEND_NOT_FOUND'));
  });

  it('truncates saved data silently', async () => {
    const b = faulty(new MemBackend(), { truncate: { type: 'data', keepBytes: 2 } });
    await b.save(h('data', 1), one);
    await b.save(h('index', 1), one);
    assert.deepEqual([...(await b.load(h('data', 1)))], [1, 2]);
    assert.equal((await b.stat(h('index', 1))).size, 5);
  });

  it('fails a listing at its start or after some entries', async () => {
    const b = faulty(new MemBackend(), { faults: [{ op: 'list', type: 'snapshot', nth: 1 }, { op: 'list', type: 'snapshot', nth: 2, afterItems: 2 }] });
    for (let i = 0; i < 4; i++) await b.save(h('snapshot', i), one);
    const run = async () => {
      const got: string[] = [];
      try {
        for await (const i of b.list('snapshot')) got.push(i.name);
        return { got, failed: false };
      } catch {
        return { got, failed: true };
      }
    };
    assert.deepEqual(await run(), { got: [], failed: true });
    const second = await run();
    assert.equal(second.got.length, 2);
    assert.equal(second.failed, true);
    const third = await run();
    assert.equal(third.got.length, 4);
    assert.equal(third.failed, false);
  });

  it('calls beforeOp before every call; it can fail or pause the call', async () => {
    const seen: FaultCall[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const b = faulty(new MemBackend(), {
      beforeOp: async (call) => {
        seen.push(call);
        if (call.op === 'stat') throw new Error('crash here');
        if (call.op === 'load') await gate;
      },
    });
    await b.save(h('key', 1), one);
    await assert.rejects(b.stat(h('key', 1)), /crash here/);
    let loaded = false;
    const loading = b.load(h('key', 1)).then(() => (loaded = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(loaded, false, 'load must wait for the hook');
    release();
    await loading;
    assert.deepEqual(
      seen.map((c) => [c.op, c.seq, c.n, c.type]),
      [['save', 1, 1, 'key'], ['stat', 2, 1, 'key'], ['load', 3, 1, 'key']],
    );
    assert.deepEqual(seen[0]!.handle, h('key', 1));
  });
});
