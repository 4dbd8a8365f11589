import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLifeboatError } from '../errors/index.js';
import { hashId, type Handle } from '../model/index.js';
import { faulty } from './faulty-backend.js';
import { MemBackend } from './mem-backend.js';
import { readOnly } from './readonly-backend.js';

describe('readOnly', () => {
  const snap: Handle = { type: 'snapshot', name: hashId(new Uint8Array([1])) };
  const other: Handle = { type: 'snapshot', name: hashId(new Uint8Array([2])) };

  it('refuses save, remove and create before they reach the backend', async () => {
    const mem = new MemBackend('mem:ro');
    await mem.save(snap, new Uint8Array([1]));
    const inner = faulty(mem, {});
    const b = readOnly(inner);
    const denied = (pattern: RegExp) => (e: unknown) => {
      assert.ok(isLifeboatError(e, 'BACKEND_PERMISSION_DENIED'), String(e));
      assert.match(e.message, pattern);
      return true;
    };
    await assert.rejects(b.save(other, new Uint8Array([2])), denied(/^cannot write snapshots\/.{8}… at mem:ro: the repository is opened read-only/));
    await assert.rejects(b.remove(snap), denied(/^cannot remove snapshots\/.{8}… at mem:ro/));
    await assert.rejects(b.create(), denied(/^cannot create a repository at mem:ro/));
    assert.deepEqual([inner.calls.save, inner.calls.remove, inner.calls.create], [0, 0, 0]);
    assert.equal((await mem.stat(snap)).size, 1);
  });

  it('passes reads through', async () => {
    const mem = new MemBackend('mem:ro');
    await mem.save(snap, new Uint8Array([7, 8, 9]));
    const b = readOnly(mem);
    assert.equal(b.location, 'mem:ro');
    assert.deepEqual([...(await b.load(snap))], [7, 8, 9]);
    assert.deepEqual([...(await b.load(snap, { offset: 1, length: 1 }))], [8]);
    assert.deepEqual(await b.stat(snap), { name: snap.name, size: 3 });
    const listed = [];
    for await (const i of b.list('snapshot')) listed.push(i);
    assert.deepEqual(listed, [{ name: snap.name, size: 3 }]);
    await b.close();
  });
});
