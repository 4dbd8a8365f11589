import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { arbDamage, arbNode, arbNodes, damage } from './arbitraries.test-util.js';
import { formatGoTime } from './go-time.js';
import { newNode, type Node } from './node.js';
import { compareNames, decodeTree, encodeTree, findNode } from './tree.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const ID = (c: string): string => c.repeat(64);
const T = '"mtime":"2022-08-01T12:00:00.123456789Z","atime":"2022-08-01T12:00:00.123456789Z","ctime":"2026-11-24T15:51:31.827898014Z"';
const OWNER = '"uid":0,"gid":0,"user":"root","group":"root"';

// Real nodes from the format notes (§8.1); the elided parts filled in the same shape.
const SPEC_NODES = [
  `{"name":"empty.txt","type":"file","mode":420,${T},${OWNER},"inode":2154659,"device_id":65024,"links":1,"content":[]}`,
  `{"name":"f","type":"file","mode":420,${T},${OWNER},"inode":2154660,"device_id":65024,"size":11,"links":1,"extended_attributes":[{"name":"user.test","value":"aGVsbG8Ad29ybGQ="}],"content":["${ID('a')}"]}`,
  `{"name":"fifo1","type":"fifo","mode":33554852,${T},${OWNER},"inode":2154661,"device_id":65024,"content":null}`,
  `{"name":"hello.txt","type":"file","mode":420,"mtime":"2022-08-01T12:00:00.123456789Z","atime":"2022-08-01T12:00:00.123456789Z","ctime":"2026-11-24T15:51:31.827898014Z","uid":0,"gid":0,"user":"root","group":"root","inode":2154658,"device_id":65024,"size":13,"links":1,"content":["fbbd69198637d5360353c39796181175de6311c2a61abe2fe6392c938018660f"]}`,
  `{"name":"link-to-hello","type":"symlink","mode":134218239,${T},${OWNER},"inode":2154662,"device_id":65024,"links":1,"linktarget":"hello.txt","content":null}`,
  `{"name":"tvsrc","type":"dir","mode":2147484141,${T},${OWNER},"inode":2154663,"device_id":65024,"content":null,"subtree":"${ID('c')}"}`,
];
const treeOf = (nodes: string[]): string => `{"nodes":[${nodes.join(',')}]}\n`;

test('real restic 0.14 nodes (§8.1) re-encode byte-identically', () => {
  const text = treeOf(SPEC_NODES);
  const nodes = decodeTree(enc(text));
  assert.equal(dec(encodeTree(nodes)), text);
  const hello = findNode(nodes, enc('hello.txt'))!;
  assert.equal(hello.size, 13);
  assert.equal(hello.inode, 2154658n);
  assert.equal(formatGoTime(hello.ctime), '2026-11-24T15:51:31.827898014Z');
  assert.deepEqual(findNode(nodes, enc('empty.txt'))!.content, []);
  assert.deepEqual(findNode(nodes, enc('f'))!.extendedAttributes, [{ name: 'user.test', value: enc('hello\0world') }]);
  assert.deepEqual(findNode(nodes, enc('link-to-hello'))!.linktarget, enc('hello.txt'));
  assert.equal(findNode(nodes, enc('tvsrc'))!.subtree, ID('c'));
  assert.equal(findNode(nodes, enc('missing')), undefined);
});

test('the name table (§8.3): JSON text -> raw bytes -> same JSON text', () => {
  const rows: Array<[string, Uint8Array]> = [
    ['"we\\\\\\\\ird \\\\\\"name\\\\\\"\\\\ttab"', enc('we\\ird "name"\ttab')],
    ['"bad\\\\xffutf8"', Uint8Array.from([...enc('bad'), 0xff, ...enc('utf8')])],
    ['"new\\\\nline"', enc('new\nline')],
    ['"del\\\\x7f"', enc('del\x7f')],
    ['"nb\\\\u00a0sp"', enc('nb\u00a0sp')],
    ['"emoji😀"', enc('emoji😀')],
    ['"ünïcødé.txt"', enc('ünïcødé.txt')],
    ['"a\\u003cb\\u0026c\\u003e.txt"', enc('a<b&c>.txt')],
  ];
  rows.sort((a, b) => compareNames(a[1], b[1]));
  const text = treeOf(rows.map(([json]) => `{"name":${json},"type":"fifo",${T},"uid":0,"gid":0,"content":null}`));
  const nodes = decodeTree(enc(text));
  assert.deepEqual(nodes.map((n) => n.name), rows.map((r) => r[1]));
  assert.equal(dec(encodeTree(nodes)), text);
});

test('encodeTree: sorted by raw bytes, omitempty, newline; empty tree', () => {
  assert.equal(dec(encodeTree([])), '{"nodes":[]}\n');
  const zero = '"mtime":"0001-01-01T00:00:00Z","atime":"0001-01-01T00:00:00Z","ctime":"0001-01-01T00:00:00Z","uid":0,"gid":0';
  const nodes = [newNode(Uint8Array.of(0xc3, 0xa9), 'file'), newNode('b', 'socket'), newNode('B', 'dir', { subtree: ID('0') })];
  assert.equal(
    dec(encodeTree(nodes)),
    `{"nodes":[{"name":"B","type":"dir",${zero},"content":null,"subtree":"${ID('0')}"},` +
      `{"name":"b","type":"socket",${zero},"content":null},{"name":"é","type":"file",${zero},"content":[]}]}\n`,
  );
  const big = newNode('big', 'chardev', { inode: 2n ** 64n - 1n, deviceId: 2n ** 53n + 1n, device: 2n ** 60n, mode: 2 ** 32 - 1 });
  const text = dec(encodeTree([big]));
  assert.match(text, /"mode":4294967295,.*"inode":18446744073709551615,"device_id":9007199254740993,.*"device":1152921504606846976,"content":null/);
  assert.deepEqual(decodeTree(enc(text)), [big]);
});

test('encodeTree refuses trees restic could not use (INVALID_ARGUMENT)', () => {
  const arg = (e: unknown): boolean => isLifeboatError(e, 'INVALID_ARGUMENT');
  assert.throws(() => encodeTree([newNode('a', 'fifo'), newNode('a', 'file')]), arg);
  for (const name of ['', '.', '..', 'a/b', 'nul\0']) assert.throws(() => encodeTree([newNode(name, 'fifo')]), arg, JSON.stringify(name));
  assert.throws(() => encodeTree([newNode('f', 'file', { content: null })]), arg);
  assert.throws(() => encodeTree([newNode('d', 'dir')]), arg);
  assert.throws(() => encodeTree([newNode('f', 'file', { content: ['nothex'] })]), arg);
  assert.throws(() => encodeTree([newNode('f', 'file', { uid: -1 })]), arg);
  assert.throws(() => encodeTree([newNode('f', 'file', { size: 1.5 })]), arg);
  assert.throws(() => encodeTree([newNode('f', 'file', { inode: 2n ** 64n })]), arg);
  assert.throws(() => encodeTree([newNode('f', 'file', { mtime: { unixNs: 10n ** 30n, offsetSeconds: 0 } })]), arg);
});

test('symlink targets: restic 0.14 loses invalid UTF-8, and re-encoding keeps its bytes', () => {
  const raw = Uint8Array.from([...enc('tar'), 0xff, ...enc('get')]);
  const text = dec(encodeTree([newNode('l', 'symlink', { linktarget: raw })]));
  assert.match(text, /"linktarget":"tar\\ufffdget"/);
  const back = decodeTree(enc(text));
  assert.deepEqual(back[0]!.linktarget, enc('tar\ufffdget'));
  assert.equal(dec(encodeTree(back)), text);
  // restic 0.16+ adds linktarget_raw with the exact bytes.
  const withRaw = text.replace('"content"', `"linktarget_raw":"${Buffer.from(raw).toString('base64')}","content"`);
  assert.deepEqual(decodeTree(enc(withRaw))[0]!.linktarget, raw);
});

test('decodeTree tolerates what Go tolerates', () => {
  const text =
    ' { "extra" : {"x":[1,2.5e3,null]}, "nodes" : [ {"subtree":null,"content":[],"generic_attributes":{},"type":"file",' +
    '"name":"x","mode":null,"uid":null,"user":null,"size":0,"future":true,"mtime":null} , {"type":"irregular","name":"y"} ] } ';
  const nodes = decodeTree(enc(text));
  assert.deepEqual(nodes, [newNode('x', 'file'), newNode('y', 'irregular')]);
  assert.deepEqual(decodeTree(enc('{"nodes":null}')), []);
  assert.deepEqual(decodeTree(enc('{}')), []);
  // Unsorted input stays in stored order; encodeTree sorts it.
  const unsorted = decodeTree(enc('{"nodes":[{"name":"b","type":"fifo"},{"name":"a","type":"fifo"}]}'));
  assert.deepEqual(unsorted.map((n) => dec(n.name)), ['b', 'a']);
  assert.match(dec(encodeTree(unsorted)), /^\{"nodes":\[\{"name":"a".*"name":"b"/);
});

test('decodeTree rejects malformed trees with INVALID_DATA', () => {
  const node = (extra: string): string => `{"nodes":[{"name":"n","type":"fifo"${extra}}]}`;
  const bad = [
    '', 'null', '[]', '{"nodes":{}}', '{"nodes":[1]}', '{"nodes":[{"type":"fifo"}]}', '{"nodes":[{"name":"x"}]}',
    '{"nodes":[{"name":"x","type":"whiteout"}]}', '{"nodes":[{"name":".","type":"fifo"}]}', '{"nodes":[{"name":"..","type":"fifo"}]}',
    '{"nodes":[{"name":"a/b","type":"fifo"}]}', '{"nodes":[{"name":"\\\\x00","type":"fifo"}]}', '{"nodes":[{"name":"\\\\q","type":"fifo"}]}',
    '{"nodes":[{"name":"f","type":"file"}]}', '{"nodes":[{"name":"f","type":"file","content":null}]}', '{"nodes":[{"name":"d","type":"dir"}]}',
    node(',"uid":-1'), node(',"uid":4294967296'), node(',"uid":1.0'), node(',"uid":"0"'), node(',"mode":1e3'), node(',"inode":18446744073709551616'),
    node(',"size":9007199254740993'), node(',"mtime":"yesterday"'), node(',"mtime":12'), node(',"content":["abc"]'), node(`,"content":["${ID('A')}"]`),
    node(',"subtree":"x"'), node(',"extended_attributes":[{"name":"a","value":"!!"}]'), node(',"extended_attributes":{}'), node(',"user":1'),
    node(',"linktarget_raw":"a"'), '{"nodes":[]} x', '{"nodes":[]', '{"nodes":[],}', `${'['.repeat(5000)}`, '\ufeff{"nodes":[]}',
  ];
  for (const s of bad) assert.throws(() => decodeTree(enc(s)), (e: unknown) => isLifeboatError(e, 'INVALID_DATA'), s.slice(0, 100));
});

test('encodeTree/decodeTree round trip on arbitrary nodes', () => {
  fc.assert(
    fc.property(arbNodes, (nodes) => {
      const bytes = encodeTree(nodes);
      const back = decodeTree(bytes);
      const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
      assert.deepEqual(back, sorted);
      assert.deepEqual(encodeTree(back), bytes);
      for (const n of nodes) assert.deepEqual(findNode(back, n.name), n);
    }),
    { numRuns: 500 },
  );
});

test('re-encoding is stable even for lossy symlink targets', () => {
  fc.assert(
    fc.property(arbNode, fc.uint8Array({ minLength: 1, maxLength: 20 }), (n, target) => {
      const bytes = encodeTree([{ ...n, linktarget: target } satisfies Node]);
      assert.deepEqual(encodeTree(decodeTree(bytes)), bytes);
    }),
    { numRuns: 300 },
  );
});

test('damaged tree blobs give nodes or LifeboatError, never another exception', () => {
  fc.assert(
    fc.property(arbNodes, arbDamage, (nodes, edits) => {
      const broken = damage(encodeTree(nodes), edits);
      try {
        const back = decodeTree(broken);
        assert.ok(Array.isArray(back));
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
      }
    }),
    { numRuns: 1500 },
  );
});
