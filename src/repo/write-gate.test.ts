import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LifeboatError, isLifeboatError } from '../errors/index.js';
import { hashId, type Handle } from '../model/index.js';
import { faulty, LocalBackend, MemBackend, type Backend } from '../backend/index.js';
import { runBackendContract } from '../backend/backend.contract.js';
import { writeGate } from './write-gate.js';

const h = (n: number): Handle => ({ type: 'snapshot', name: hashId(new Uint8Array([n])) });
const tick = () => new Promise<void>((r) => setImmediate(r));

// An opened gate is the backend itself, for every promise of the contract.
runBackendContract('writeGate (opened)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-gate-'));
  const gate = writeGate(new LocalBackend(join(dir, 'repo')));
  gate.open();
  return { backend: gate.backend, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('writeGate', () => {
  it('holds save, saveFile, remove and create until it opens; reads pass meanwhile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-gate-'));
    try {
      const local = new LocalBackend(join(dir, 'repo'));
      await local.create();
      await local.save(h(1), new Uint8Array([1]));
      const writes: string[] = [];
      const counted = <A extends unknown[], R>(name: string, op: (...a: A) => Promise<R>) => (...a: A) => (writes.push(name), op(...a));
      const inner: Backend = {
        location: local.location,
        save: counted('save', (x: Handle, d: Uint8Array) => local.save(x, d)),
        saveFile: counted('saveFile', (x: Handle, p: string) => local.saveFile(x, p)),
        remove: counted('remove', (x: Handle) => local.remove(x)),
        create: counted('create', () => local.create()),
        localFile: (x) => local.localFile(x),
        load: (x, r) => local.load(x, r),
        stat: (x) => local.stat(x),
        list: (t) => local.list(t),
        close: () => local.close(),
      };
      const gate = writeGate(inner);
      const src = join(dir, 'pack');
      await writeFile(src, new Uint8Array([3, 3]));
      const done: string[] = [];
      const held = [
        gate.backend.save(h(2), new Uint8Array([2])).then(() => done.push('save')),
        gate.backend.saveFile!(h(3), src).then(() => done.push('saveFile')),
        gate.backend.remove(h(1)).then(() => done.push('remove')),
        gate.backend.create().then(() => done.push('create')),
      ];
      for (let i = 0; i < 5; i++) await tick();
      assert.deepEqual(done, []);
      assert.deepEqual(writes, []);
      assert.deepEqual([...(await gate.backend.load(h(1)))], [1], 'a read is not held');
      assert.deepEqual(await gate.backend.stat(h(1)), { name: h(1).name, size: 1 });
      assert.equal(gate.backend.localFile!(h(1)), local.localFile(h(1)));
      gate.open();
      await Promise.all(held);
      assert.deepEqual(writes.sort(), ['create', 'remove', 'save', 'saveFile']);
      assert.deepEqual(done.sort(), ['create', 'remove', 'save', 'saveFile']);
      assert.deepEqual([...(await local.load(h(3)))], [3, 3]);
      await assert.rejects(local.stat(h(1)), (e: unknown) => isLifeboatError(e, 'BACKEND_NOT_FOUND'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('once shut, fails held and later writes with its reason, and none reaches the backend', async () => {
    const mem = new MemBackend('mem:gate');
    await mem.save(h(1), new Uint8Array([1]));
    const inner = faulty(mem, {});
    const gate = writeGate(inner);
    const reason = new LifeboatError('REPO_LOCKED', 'repository is already locked');
    const held = [gate.backend.save(h(2), new Uint8Array([2])), gate.backend.remove(h(1)), gate.backend.create()];
    await tick();
    gate.shut(reason);
    for (const p of held) await assert.rejects(p, (e) => e === reason);
    await assert.rejects(gate.backend.save(h(4), new Uint8Array([4])), (e) => e === reason);
    gate.open(); // too late: a shut gate stays shut
    await assert.rejects(gate.backend.remove(h(1)), (e) => e === reason);
    assert.deepEqual([inner.calls.save, inner.calls.remove, inner.calls.create], [0, 0, 0]);
    const names = [];
    for await (const f of gate.backend.list('snapshot')) names.push(f.name);
    assert.deepEqual(names, [h(1).name]);
  });

  it('a gate shut with nothing waiting is no unhandled rejection', async () => {
    const gate = writeGate(new MemBackend());
    gate.shut(new Error('lock lost'));
    await tick();
  });
});
