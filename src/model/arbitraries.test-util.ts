// Test-only fast-check generators shared by the model tests (not exported from index.ts).
import fc from 'fast-check';
import type { GoTime } from './go-time.js';
import type { Id } from './id.js';
import { NODE_TYPES, nodeNameProblem, type Node } from './node.js';
import type { Snapshot } from './snapshot.js';

const NS = 1_000_000_000n;
// Year 0000 to 9999 in every zone, one day of margin on each side.
const MIN_NS = (-62_167_219_200n + 86_400n) * NS;
const MAX_NS = (253_402_300_799n - 86_400n) * NS;

export const arbOffsetMinutes = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

export const arbGoTime: fc.Arbitrary<GoTime> = fc
  .record({
    unixNs: fc.oneof(
      fc.bigInt({ min: MIN_NS, max: MAX_NS }),
      fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }).map((s) => (s / NS) * NS), // whole seconds
      fc.bigInt({ min: 1_500_000_000n * NS, max: 1_900_000_000n * NS }),
    ),
    offsetSeconds: fc.oneof(fc.constant(0), arbOffsetMinutes.map((m) => m * 60)),
  })
  .map((t) => ({ unixNs: t.unixNs, offsetSeconds: t.offsetSeconds === 0 ? 0 : t.offsetSeconds }));

export const arbId: fc.Arbitrary<Id> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

/** Raw name bytes: mostly odd, always a valid single path component. */
export const arbName: fc.Arbitrary<Uint8Array> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 24 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map((s) => new TextEncoder().encode(s)),
    fc.constantFrom('a', 'b', 'ab', 'a<b&c>.txt', 'new\nline', 'nb\u00a0sp', 'emoji😀', '...', '.a').map((s) => new TextEncoder().encode(s)),
  )
  .filter((n) => nodeNameProblem(n) === undefined);

const u64 = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 1n << 20n }));
const u32 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff }));
const safe = fc.oneof(fc.constant(0), fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const text = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }));
const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** A node that survives decode(encode(n)) unchanged (linktarget is valid UTF-8). */
export const arbNode: fc.Arbitrary<Node> = fc
  .record({
    name: arbName,
    type: fc.constantFrom(...NODE_TYPES),
    mode: u32,
    mtime: arbGoTime,
    atime: arbGoTime,
    ctime: arbGoTime,
    uid: u32,
    gid: u32,
    user: text.map(wellFormed),
    group: text.map(wellFormed),
    inode: u64,
    deviceId: u64,
    size: safe,
    links: safe,
    linktarget: text.map((s) => new TextEncoder().encode(s)),
    extendedAttributes: fc.array(fc.record({ name: text.map(wellFormed), value: fc.uint8Array({ maxLength: 10 }) }).map((x) => ({ ...x })), { maxLength: 2 }),
    device: u64,
    ids: fc.array(arbId, { maxLength: 3 }),
    subtree: arbId,
    error: text.map(wellFormed),
  })
  .map(({ ids, subtree, ...n }) => ({
    ...n,
    content: n.type === 'file' ? ids : null,
    subtree: n.type === 'dir' ? subtree : null,
  }));

/** Nodes with distinct names, in no particular order. */
export const arbNodes: fc.Arbitrary<Node[]> = fc.uniqueArray(arbNode, {
  maxLength: 6,
  selector: (n) => Buffer.from(n.name).toString('hex'),
});

const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const nonEmpty = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 });

/** A snapshot in decoded (normalised) form: optional fields absent or non-empty. */
export const arbSnapshot: fc.Arbitrary<Snapshot> = fc
  .record({
    time: arbGoTime,
    parent: maybe(arbId),
    tree: arbId,
    paths: fc.array(nonEmpty, { maxLength: 3 }),
    hostname: maybe(nonEmpty),
    username: maybe(nonEmpty),
    uid: maybe(fc.integer({ min: 1, max: 0xffffffff })),
    gid: maybe(fc.integer({ min: 1, max: 0xffffffff })),
    excludes: maybe(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 3 })),
    tags: maybe(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 3 })),
    original: maybe(arbId),
    extra: maybe(
      fc.record(
        { program_version: fc.string(), summary: fc.record({ files_new: fc.nat(), total_bytes: fc.bigInt({ min: 2n ** 60n, max: 2n ** 62n }) }) },
        { requiredKeys: [] },
      ).map((x) => ({ ...x, ...(x.summary ? { summary: { ...x.summary } } : {}) })),
    ),
  })
  .map((s) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (v === undefined) continue;
      if (k === 'extra' && Object.keys(v as object).length === 0) continue;
      out[k] = v;
    }
    return out as unknown as Snapshot;
  });

export { arbDamage, damage } from '../lib/damage.test-util.js';
