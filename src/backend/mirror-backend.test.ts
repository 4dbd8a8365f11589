import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLifeboatError } from '../errors/index.js';
import type { Handle } from '../model/index.js';
import { runBackendContract } from './backend.contract.js';
import { faulty } from './faulty-backend.js';
import { MemBackend } from './mem-backend.js';
import { MirrorBackend } from './mirror-backend.js';
import { file } from './backend-test.test-util.js';

async function names(b: { list(t: Handle['type']): AsyncIterable<{ name: string }> }, t: Handle['type']): Promise<string[]> {
  const out: string[] = [];
  for await (const i of b.list(t)) out.push(i.name);
  return out.sort();
}

runBackendContract('mirror of three', async () => ({
  backend: new MirrorBackend([
    { name: 'a', backend: new MemBackend('mem:a') },
    { name: 'b', backend: new MemBackend('mem:b') },
    { name: 'c', backend: new MemBackend('mem:c') },
  ]),
  cleanup: async () => undefined,
}));

describe('MirrorBackend', () => {
  it('saves to every location; a failing one is behind and gets nothing more', async () => {
    const a = new MemBackend('mem:a');
    const bMem = new MemBackend('mem:b');
    // The second pack save to b fails (permanently here; after retries in real use).
    const b = faulty(bMem, { faults: [{ op: 'save', type: 'data', nth: 2, code: 'BACKEND_NO_SPACE' }] });
    const m = new MirrorBackend([{ name: 'a', backend: a }, { name: 'b', backend: b }]);
    const packs = [file('data'), file('data'), file('data')];
    for (const p of packs) await m.save(p.h, p.data);
    const snap = file('snapshot');
    await m.save(snap.h, snap.data);
    assert.deepEqual(await names(a, 'data'), packs.map((p) => p.h.name).sort());
    assert.deepEqual(await names(bMem, 'data'), [packs[0]!.h.name]);
    assert.deepEqual(await names(bMem, 'snapshot'), [], 'no snapshot on the location that is behind');
    assert.deepEqual(await names(a, 'snapshot'), [snap.h.name]);
    const [sa, sb] = m.states();
    assert.equal(sa!.behind, false);
    assert.equal(sb!.behind, true);
    assert.match(sb!.reason!, /^data\/.{2}\/.{8}…: injected fault/);
    assert.equal(b.calls.save, 2, 'no save after the failure');
  });

  it('fails only when no location is left', async () => {
    const m = new MirrorBackend([
      { name: 'a', backend: faulty(new MemBackend(), { faults: [{ op: 'save' }] }) },
      { name: 'b', backend: faulty(new MemBackend(), { faults: [{ op: 'save', nth: 2 }] }) },
    ]);
    const one = file('data');
    await m.save(one.h, one.data);
    const two = file('data');
    await assert.rejects(m.save(two.h, two.data), (e: unknown) => isLifeboatError(e, 'LOCATIONS_ALL_FAILED') && /a: .*; b: /.test(e.message));
  });

  it('loads fall back to the next location; missing everywhere is BACKEND_NOT_FOUND', async () => {
    const a = new MemBackend();
    const b = new MemBackend();
    const f = file('index');
    await b.save(f.h, f.data);
    const m = new MirrorBackend([{ name: 'a', backend: faulty(a, { faults: [{ op: 'load', code: 'BACKEND_IO' }] }) }, { name: 'b', backend: b }]);
    assert.deepEqual(Buffer.from(await m.load(f.h)), Buffer.from(f.data));
    const g = file('index');
    await assert.rejects(m.stat(g.h), (e: unknown) => isLifeboatError(e, 'BACKEND_NOT_FOUND'));
  });

  it('a location down for loads does not hide a file with "not found" elsewhere', async () => {
    const f = file('index');
    const m = new MirrorBackend([
      { name: 'a', backend: new MemBackend() },
      { name: 'b', backend: faulty(new MemBackend(), { faults: [{ op: 'load', code: 'BACKEND_IO' }] }) },
    ]);
    await assert.rejects(m.load(f.h), (e: unknown) => isLifeboatError(e, 'BACKEND_IO'));
  });

  it('lists the union of the healthy locations; locations marked behind are not read', async () => {
    const a = new MemBackend();
    const b = new MemBackend();
    const [x, y] = [file('snapshot'), file('snapshot')];
    await a.save(x.h, x.data);
    await b.save(y.h, y.data);
    const m = new MirrorBackend([{ name: 'a', backend: a }, { name: 'b', backend: b }]);
    assert.deepEqual(await names(m, 'snapshot'), [x.h.name, y.h.name].sort());
    m.markBehind('b', 'unreachable');
    assert.deepEqual(await names(m, 'snapshot'), [x.h.name]);
    const z = file('snapshot');
    await m.save(z.h, z.data);
    assert.deepEqual(await names(b, 'snapshot'), [y.h.name]);
  });
});
