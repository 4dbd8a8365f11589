import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTree, goTimeFromNs, newNode, type Node } from '../model/index.js';
import { sameNode, sameTree } from './same-node.js';

const t = goTimeFromNs(1_700_000_000_123_456_789n);
const file = (name: string, over: Partial<Node> = {}): Node =>
  ({ ...newNode(name, 'file', { mode: 0o644, mtime: t, atime: t, ctime: t, uid: 1, gid: 2, user: 'u', group: 'g', inode: 42n, deviceId: 7n, size: 3, links: 1, content: ['a'.repeat(64)] }), ...over });

test('sameNode: equal nodes match, and every field that reaches the tree blob breaks the match', () => {
  const base = file('x');
  assert.equal(sameNode(base, file('x')), true);
  const changes: Partial<Node>[] = [
    { name: Buffer.from('y') },
    { mode: 0o600 },
    { size: 4 },
    { mtime: goTimeFromNs(1n) },
    { ctime: goTimeFromNs(1n) },
    { atime: goTimeFromNs(1n) },
    { mtime: { unixNs: t.unixNs, offsetSeconds: 3600 } },
    { inode: 43n },
    { deviceId: 8n },
    { uid: 9 },
    { gid: 9 },
    { user: 'v' },
    { group: 'h' },
    { links: 2 },
    { device: 1n },
    { error: 'e' },
    { linktarget: Buffer.from('t') },
    { content: ['b'.repeat(64)] },
    { content: [] },
    { extendedAttributes: [{ name: 'user.a', value: Buffer.from('1') }] },
  ];
  for (const c of changes) {
    const other = file('x', c);
    assert.equal(sameNode(base, other), false, JSON.stringify(Object.keys(c)));
    // the premise: a node that differs encodes differently
    assert.notDeepEqual(encodeTree([base]), encodeTree([other]));
  }
});

test('sameTree: same nodes in sorted stored order; unsorted or different counts do not match', () => {
  const a = file('a');
  const b = file('b');
  assert.equal(sameTree([b, a], [a, b]), true, 'new entries in readdir order, old in sorted order');
  assert.equal(sameTree([a, b], [b, a]), false, 'an unsorted old tree is re-encoded');
  assert.equal(sameTree([a], [a, b]), false);
  assert.equal(sameTree([a, b], [a]), false);
  assert.equal(sameTree([a, file('b', { size: 9 })], [a, b]), false);
  assert.equal(sameTree([], []), true);
});
