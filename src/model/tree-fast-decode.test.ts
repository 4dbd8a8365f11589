import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { arbDamage, arbGoTime, arbId, arbNode, arbNodes, damage } from './arbitraries.test-util.js';
import { NODE_TYPES, type Node } from './node.js';
import { compareNames, decodeTreeText, encodeTree } from './tree.js';
import { fastDecodeTree } from './tree-fast-decode.js';

const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The fast decoder may give up, but when it answers it must agree with the general one. */
function agrees(text: string): void {
  const fast = fastDecodeTree(text);
  if (fast !== undefined) assert.deepEqual(fast, decodeTreeText(text));
}

const plain = fc.stringMatching(/^[a-z0-9_-][a-z0-9._ -]{0,11}$/);
const small = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999_999_999_999 }));
const u32 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff }));

/** Nodes as a file system backup writes them: plain names and owners, no extended attributes. */
const arbPlainNode: fc.Arbitrary<Node> = fc
  .record({
    name: plain.filter((s) => s !== '.' && s !== '..'),
    type: fc.constantFrom(...NODE_TYPES),
    mode: u32, mtime: arbGoTime, atime: arbGoTime, ctime: arbGoTime, uid: u32, gid: u32,
    user: fc.oneof(fc.constant(''), plain), group: fc.oneof(fc.constant(''), plain),
    inode: small, deviceId: small, size: small, links: small, device: small,
    linktarget: fc.oneof(fc.constant(''), plain), ids: fc.array(arbId, { maxLength: 3 }), subtree: arbId,
  })
  .map(({ ids, subtree, name, inode, deviceId, device, linktarget, ...n }) => ({
    ...n,
    name: Buffer.from(name),
    inode: BigInt(inode), deviceId: BigInt(deviceId), device: BigInt(device),
    linktarget: Buffer.from(linktarget),
    extendedAttributes: [],
    content: n.type === 'file' ? ids : null,
    subtree: n.type === 'dir' ? subtree : null,
    error: '',
  }));

test('the fast decoder reads what a file backup writes, without the general decoder', () => {
  fc.assert(
    fc.property(fc.uniqueArray(arbPlainNode, { maxLength: 8, selector: (n) => n.name.toString() }), (nodes) => {
      const text = dec(encodeTree(nodes));
      const fast = fastDecodeTree(text);
      assert.ok(fast !== undefined, text);
      // Buffer and Uint8Array differ for deepEqual; compare the bytes as plain arrays.
      const norm = (ns: readonly Node[]) => ns.map((n) => ({ ...n, name: [...n.name], linktarget: [...n.linktarget] }));
      assert.deepEqual(norm(fast), norm([...nodes].sort((a, b) => compareNames(a.name, b.name))));
    }),
    { numRuns: 500 },
  );
});

test('times repeated across fields and nodes (the decoder remembers the last of each) decode to their own values', () => {
  // A pool of three times, so that a field often repeats the previous node's value or another
  // field's, and sometimes not.
  const pool = fc.array(arbGoTime, { minLength: 3, maxLength: 3 });
  fc.assert(
    fc.property(pool, fc.uniqueArray(fc.tuple(arbPlainNode, fc.nat(2), fc.nat(2), fc.nat(2)), { maxLength: 10, selector: ([n]) => n.name.toString() }), (times, picks) => {
      const nodes = picks.map(([n, m, a, c]) => ({ ...n, mtime: times[m]!, atime: times[a]!, ctime: times[c]! }));
      const fast = fastDecodeTree(dec(encodeTree(nodes)));
      assert.ok(fast !== undefined);
      const byName = new Map(nodes.map((n) => [n.name.toString(), n]));
      for (const n of fast) {
        const want = byName.get(Buffer.from(n.name).toString())!;
        assert.deepEqual([n.mtime, n.atime, n.ctime], [want.mtime, want.atime, want.ctime]);
      }
    }),
    { numRuns: 500 },
  );
});

test('fast and general decoders agree on arbitrary trees', () => {
  fc.assert(fc.property(arbNodes, (nodes) => agrees(dec(encodeTree(nodes)))), { numRuns: 500 });
});

test('fast and general decoders agree on damaged and truncated trees', () => {
  fc.assert(
    fc.property(fc.oneof(arbNodes, fc.array(arbPlainNode, { maxLength: 4 })), arbDamage, (nodes, edits) => {
      let bytes: Uint8Array;
      try {
        bytes = encodeTree(nodes);
      } catch {
        return; // duplicate names from the plain arbitrary
      }
      agrees(dec(damage(bytes, edits)));
    }),
    { numRuns: 3000 },
  );
});

test('fast decoder: hand-picked edge cases agree or defer', () => {
  const T = '"mtime":"2022-08-01T12:00:00.1Z","atime":"0001-01-01T00:00:00Z","ctime":"2026-11-24T15:51:31.827898014+05:30"';
  const node = (extra: string) => `{"nodes":[{"name":"n","type":"fifo",${T}${extra}}]}`;
  const cases = [
    node(''), node(',"mode":null,"inode":null,"content":null'), node(',"uid":4294967295'), node(',"uid":4294967296'), node(',"uid":01'),
    node(',"size":999999999999999'), node(',"size":1e3'), node(',"mtime":"2022-02-30T00:00:00Z"'), node(',"mtime":"2022-08-01t12:00:00Z"'),
    node(',"mtime":"2022-08-01T12:00:00.1234567891Z"'), node(',"mtime":"2022-08-01T12:00:00-00:00"'), node(',"mtime":"2022-08-01T24:00:00Z"'),
    node(',"type":"file","content":[]'), node(',"type":"file"'), node(',"type":"dir","subtree":null'), node(',"name":null'), node(',"x":1'),
    '{"nodes":[]}', '{"nodes":[]} ', '{"nodes":[],"x":1}', '{"nodes":null}', ' {"nodes" : [ ] } \n',
  ];
  for (const c of cases) {
    try {
      agrees(c);
    } catch (e) {
      assert.fail(`${c}: ${String(e)}`);
    }
  }
  // A negative offset of zero is +00:00's instant and offset, as Go reads it.
  const t = fastDecodeTree(node(',"mtime":"2022-08-01T12:00:00-00:00"'))![0]!.mtime;
  assert.equal(Object.is(t.offsetSeconds, -0), false);
  assert.equal(fastDecodeTree(node(',"uid":4294967296')), undefined);
});

test('arbNode (odd names, extended attributes) still round-trips through decodeTree', () => {
  fc.assert(fc.property(arbNode, (n) => agrees(dec(encodeTree([n])))), { numRuns: 300 });
});
