import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import type { BlobType } from '../model/index.js';
import { parseMaxUnused, planPrune, type PlanPack } from './prune-plan.js';

const id = (s: string) => s.padStart(64, '0');
function pack(name: string, blobs: [string, number, BlobType?][]): PlanPack {
  return { id: id(name), blobs: blobs.map(([b, length, type]) => ({ id: id(b), length, type: type ?? 'data' })) };
}
const used = (...names: string[]) => new Set(names.map((n) => (n.startsWith('t') ? `tree:${id(n)}` : `data:${id(n)}`)));
const stored = (packs: PlanPack[], extra: string[] = []) => new Map([...packs.map((p) => [p.id, p.blobs.reduce((n, b) => n + b.length, 0) + 100] as const), ...extra.map((e) => [id(e), 50] as const)]);
const short = (ids: readonly string[]) => ids.map((s) => s.replace(/^0+/, '')).sort();

test('prune plan: fully used kept, fully unused removed, partly used repacked above the threshold', () => {
  const packs = [pack('a1', [['d1', 1000], ['d2', 1000]]), pack('a2', [['d3', 1000]]), pack('a3', [['d4', 1000], ['d5', 1000]]), pack('a4', [['t1', 100, 'tree']])];
  const plan = planPrune({ indexed: packs, stored: stored(packs, ['e9']), used: used('d1', 'd2', 'd4', 't1') });
  assert.deepEqual(short(plan.keep), ['a1', 'a4']);
  assert.deepEqual(short(plan.remove), ['a2']);
  assert.deepEqual(short(plan.repack), ['a3']);
  assert.deepEqual(short(plan.unreferenced), ['e9']);
  assert.deepEqual(plan.copy.map((c) => c.id.replace(/^0+/, '')), ['d4']);
  assert.equal(plan.stats.usedBytes, 3100);
  assert.equal(plan.stats.unusedBytes, 2000);
  assert.equal(plan.stats.unusedAfter, 0);
  assert.equal(plan.stats.deletedBytes, 1100 + 2100 + 50);
});

test('prune plan: within --max-unused a partly used pack stays; unlimited never repacks', () => {
  const packs = [pack('a1', Array.from({ length: 40 }, (_, i): [string, number] => [`d${i}`, 1000])), pack('a2', [['x1', 1000], ['x2', 1000]])];
  const all = Array.from({ length: 40 }, (_, i) => `d${i}`);
  // 1000 unused of 41000 used is 2.4%: under 5%, kept.
  assert.deepEqual(short(planPrune({ indexed: packs, stored: stored(packs), used: used(...all, 'x1') }).repack), []);
  assert.deepEqual(short(planPrune({ indexed: packs, stored: stored(packs), used: used(...all, 'x1') }, parseMaxUnused('0')).repack), ['a2']);
  assert.deepEqual(short(planPrune({ indexed: packs, stored: stored(packs), used: used(...all, 'x1') }, parseMaxUnused('1%')).repack), ['a2']);
  assert.deepEqual(short(planPrune({ indexed: packs, stored: stored(packs), used: used('d0', 'x1') }, parseMaxUnused('unlimited')).repack), []);
});

test('prune plan: a blob in several packs is kept once, preferably where it is kept anyway', () => {
  const packs = [pack('a1', [['d1', 1000]]), pack('a2', [['d1', 1000], ['d2', 1000]]), pack('a3', [['d2', 1000]])];
  const plan = planPrune({ indexed: packs, stored: stored(packs), used: used('d1', 'd2') }, parseMaxUnused('0'));
  // a2 holds both: it is kept whole, a1 and a3 hold only copies.
  assert.deepEqual(short(plan.keep), ['a2']);
  assert.deepEqual(short(plan.remove), ['a1', 'a3']);
  assert.equal(plan.copy.length, 0);
});

test('prune plan: a needed blob in no stored pack refuses the plan; unneeded missing packs are dropped', () => {
  const packs = [pack('a1', [['d1', 1000]]), pack('a2', [['d2', 1000]])];
  const onlyA1 = new Map([[id('a1'), 1100]]);
  assert.throws(() => planPrune({ indexed: packs, stored: onlyA1, used: used('d1', 'd2') }), (e) => isLifeboatError(e, 'PRUNE_UNSAFE') && /nothing was deleted/.test(e.message));
  const plan = planPrune({ indexed: packs, stored: onlyA1, used: used('d1') });
  assert.deepEqual(short(plan.missing), ['a2']);
  assert.deepEqual(short(plan.keep), ['a1']);
});

test('prune plan: --max-unused parses like restic', () => {
  assert.deepEqual(parseMaxUnused('5%'), { kind: 'percent', value: 5 });
  assert.deepEqual(parseMaxUnused('0'), { kind: 'bytes', value: 0 });
  assert.deepEqual(parseMaxUnused('2M'), { kind: 'bytes', value: 2 * 1024 * 1024 });
  assert.deepEqual(parseMaxUnused('unlimited'), { kind: 'unlimited' });
  for (const bad of ['100%', '-1', '5 %', 'lots', '']) assert.throws(() => parseMaxUnused(bad), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'), bad);
});

test('prune plan: every used blob survives (kept pack or copied), nothing unused is copied, every pack has one fate', () => {
  const arb = fc.record({
    packs: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
    used: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 30 }),
    max: fc.constantFrom('0', '5%', '50%', 'unlimited', '3000'),
  });
  fc.assert(
    fc.property(arb, ({ packs: raw, used: u, max }) => {
      const packs = raw.map((blobs, i) => pack(`p${i}`, blobs.map((b): [string, number] => [`b${b}`, 100 + b])));
      const present = new Set(raw.flat());
      const need = used(...u.filter((b) => present.has(b)).map((b) => `b${b}`));
      const plan = planPrune({ indexed: packs, stored: stored(packs), used: need }, parseMaxUnused(max));
      const fates = [...plan.keep, ...plan.remove, ...plan.repack];
      assert.equal(fates.length, packs.length);
      assert.equal(new Set(fates).size, packs.length);
      const keptBlobs = new Set(packs.filter((p) => plan.keep.includes(p.id)).flatMap((p) => p.blobs.map((b) => `data:${b.id}`)));
      const copied = new Set(plan.copy.map((c) => `${c.type}:${c.id}`));
      for (const k of need) assert.ok(keptBlobs.has(k) || copied.has(k), k);
      for (const k of copied) assert.ok(need.has(k));
      assert.equal(copied.size, plan.copy.length);
      if (max === '0') assert.equal(plan.stats.unusedAfter, 0);
    }),
  );
});
