import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { newNode, type Node } from '../model/index.js';
import { findNode, matchNodes } from './match-nodes.js';

const key = (b: Uint8Array) => Buffer.from(b).toString('latin1');
/** The rule matchNodes must keep: a Map of the tree's nodes by name, the last of a name winning. */
const byMap = (names: readonly Uint8Array[], nodes: readonly Node[]) => {
  const m = new Map(nodes.map((n) => [key(n.name), n]));
  return names.map((n) => m.get(key(n)));
};

// Bytes around '/' and above 0x7f: byte order is not the order of UTF-16 strings or of locale.
const arbName = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b.map((x) => [0x20, 0x2d, 0x2e, 0x30, 0x61, 0xc3, 0xe9, 0xff][x % 8]!)));

test('matchNodes finds what a Map by name finds: sorted trees by merging, unsorted or duplicate ones too (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(arbName, { maxLength: 30, selector: key }),
      fc.array(arbName, { maxLength: 30 }),
      fc.constantFrom('sorted', 'shuffled', 'duplicates'),
      fc.nat(),
      (entryNames, treeNames, order, seed) => {
        const names = [...entryNames].sort(Buffer.compare);
        let tree = [...new Map(treeNames.map((n) => [key(n), n])).values()].sort(Buffer.compare).map((n, i) => newNode(n, 'file', { size: i }));
        if (order === 'shuffled') tree = tree.map((n, i) => ({ n, k: (i * 7919 + seed) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.n);
        if (order === 'duplicates' && tree.length > 0) tree.splice(seed % tree.length, 0, newNode(tree[seed % tree.length]!.name, 'dir', { size: -1 }));
        assert.deepEqual(matchNodes(names, tree), byMap(names, tree));
        for (const n of names) assert.equal(findNode(tree, n), byMap([n], tree)[0]);
      },
    ),
    { numRuns: 400 },
  );
});

test('matchNodes: entries not in byte order are still matched (by name, not by position)', () => {
  const tree = ['a', 'b', 'c'].map((n) => newNode(n, 'file'));
  const names = ['c', 'a', 'x'].map((n) => Buffer.from(n));
  assert.deepEqual(matchNodes(names, tree), [tree[2], tree[0], undefined]);
});
