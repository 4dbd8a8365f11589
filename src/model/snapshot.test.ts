import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { arbDamage, arbSnapshot, damage } from './arbitraries.test-util.js';
import { GO_ZERO_TIME, formatGoTime } from './go-time.js';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from './snapshot.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

// The real example of the format notes (§7), restic 0.14 with TZ=Asia/Kolkata.
const SPEC =
  '{"time":"2026-11-24T21:21:46.548787948+05:30","parent":"ed02e00de006a362fae4666224292babfad8cf9c11e1f6876a4fe129d2ba464c",' +
  '"tree":"46aa68ee5517d73c131cb2de92bdc3bdd4a08f41c6a8d8194aa9c5b928bc1bdd","paths":["/srv/app"],' +
  '"hostname":"tvhost","username":"root","excludes":["*.bak"],"tags":["a","b"]}';

test('the real snapshot of the format notes (§7) re-encodes byte-identically', () => {
  const s = decodeSnapshot(enc(SPEC));
  assert.equal(formatGoTime(s.time), '2026-11-24T21:21:46.548787948+05:30');
  assert.equal(s.parent, 'ed02e00de006a362fae4666224292babfad8cf9c11e1f6876a4fe129d2ba464c');
  assert.deepEqual(s.paths, ['/srv/app']);
  assert.deepEqual(s.tags, ['a', 'b']);
  assert.equal(s.uid, undefined);
  assert.equal(s.extra, undefined);
  assert.equal(dec(encodeSnapshot(s)), SPEC);
});

test('omitempty and field order', () => {
  const tree = 'f'.repeat(64);
  const s: Snapshot = { time: GO_ZERO_TIME, tree, paths: [], hostname: '', uid: 0, tags: [] };
  assert.equal(dec(encodeSnapshot(s)), `{"time":"0001-01-01T00:00:00Z","tree":"${tree}","paths":null}`);
  const full: Snapshot = {
    time: GO_ZERO_TIME, parent: '1'.repeat(64), tree, paths: ['/a<b>'], hostname: 'h', username: 'u', uid: 1000, gid: 100,
    excludes: ['x'], tags: ['t&'], original: '2'.repeat(64), extra: { program_version: 'restic 0.17.0', summary: { files_new: 3 } },
  };
  assert.equal(
    dec(encodeSnapshot(full)),
    `{"time":"0001-01-01T00:00:00Z","parent":"${'1'.repeat(64)}","tree":"${tree}","paths":["/a\\u003cb\\u003e"],"hostname":"h",` +
      `"username":"u","uid":1000,"gid":100,"excludes":["x"],"tags":["t\\u0026"],"original":"${'2'.repeat(64)}",` +
      `"program_version":"restic 0.17.0","summary":{"files_new":3}}`,
  );
  assert.deepEqual(decodeSnapshot(encodeSnapshot(full)), full);
});

test('decodeSnapshot keeps newer fields and tolerates missing ones', () => {
  const text =
    '{"summary":{"total_bytes_processed":18446744073709551615,"backup_start":"2024-01-01T00:00:00Z","ratio":0.5},' +
    `"tree":"${'a'.repeat(64)}","program_version":"restic 0.17.3","__proto__":{"polluted":true}}`;
  const s = decodeSnapshot(enc(text));
  assert.deepEqual(s.time, GO_ZERO_TIME);
  assert.deepEqual(s.paths, []);
  assert.equal(s.extra?.['program_version'], 'restic 0.17.3');
  assert.deepEqual(s.extra?.['summary'], { total_bytes_processed: 2n ** 64n - 1n, backup_start: '2024-01-01T00:00:00Z', ratio: 0.5 });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.ok(Object.hasOwn(s.extra!, '__proto__'));
  assert.match(dec(encodeSnapshot(s)), /"paths":null,"summary":\{"total_bytes_processed":18446744073709551615,.*"program_version":"restic 0.17.3","__proto__":\{"polluted":true\}\}$/);
});

test('encodeSnapshot refuses bad values (INVALID_ARGUMENT)', () => {
  const ok: Snapshot = { time: GO_ZERO_TIME, tree: 'a'.repeat(64), paths: ['/'] };
  const arg = (e: unknown): boolean => isLifeboatError(e, 'INVALID_ARGUMENT');
  assert.throws(() => encodeSnapshot({ ...ok, tree: 'xyz' }), arg);
  assert.throws(() => encodeSnapshot({ ...ok, parent: 'A'.repeat(64) }), arg);
  assert.throws(() => encodeSnapshot({ ...ok, uid: -5 }), arg);
  assert.throws(() => encodeSnapshot({ ...ok, extra: { tree: 'x' } }), arg);
  assert.throws(() => encodeSnapshot({ ...ok, extra: { f: () => 1 } }), arg);
});

test('decodeSnapshot rejects malformed snapshots with INVALID_DATA', () => {
  const t = `"tree":"${'a'.repeat(64)}"`;
  const bad = [
    '', '[]', '{}', '{"tree":null}', '{"tree":"abc"}', `{${t},"time":"now"}`, `{${t},"time":5}`, `{${t},"paths":"/"}`, `{${t},"paths":[1]}`,
    `{${t},"uid":-1}`, `{${t},"gid":1.5}`, `{${t},"hostname":[]}`, `{${t},"tags":{}}`, `{${t},"parent":"x"}`, `{${t},"original":7}`, `{${t}`, `{${t}}}`,
  ];
  for (const s of bad) assert.throws(() => decodeSnapshot(enc(s)), (e: unknown) => isLifeboatError(e, 'INVALID_DATA'), s);
});

test('encodeSnapshot/decodeSnapshot round trip', () => {
  fc.assert(
    fc.property(arbSnapshot, (s) => {
      const bytes = encodeSnapshot(s);
      assert.deepEqual(decodeSnapshot(bytes), s);
      assert.deepEqual(encodeSnapshot(decodeSnapshot(bytes)), bytes);
    }),
    { numRuns: 1000 },
  );
});

test('damaged snapshots give a snapshot or LifeboatError, never another exception', () => {
  fc.assert(
    fc.property(arbSnapshot, arbDamage, (s, edits) => {
      try {
        decodeSnapshot(damage(encodeSnapshot(s), edits));
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
      }
    }),
    { numRuns: 1500 },
  );
});
