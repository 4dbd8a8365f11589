// Walks two directory trees with lstat (bigint: nanosecond times) and lists how they
// differ: entries, types, permission bits (setuid/setgid/sticky included), owners,
// sizes, contents, symlink targets, device numbers, mtimes and hardlink structure.
import { createHash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import assert from 'node:assert/strict';

export interface CompareOptions {
  /**
   * Largest accepted |mtime difference| in nanoseconds: 0n for restic (it restores
   * nanoseconds), 1000n for Lifeboat (Node's utimes takes a double; see file-metadata.ts).
   */
  readonly mtimeToleranceNs: bigint;
  /** Compare the mtime of the two roots too (false when the root was not restored from the snapshot). */
  readonly rootMtime?: boolean;
  readonly owners?: boolean;
  /** Stop after this many differences. */
  readonly maxDiffs?: number;
}

/** Renders raw name bytes readably: printable ASCII as is, anything else as \xHH. */
export function showPath(p: Buffer): string {
  let s = '';
  for (const b of p) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : b === 0x5c ? '\\\\' : `\\x${b.toString(16).padStart(2, '0')}`;
  return s === '' ? '.' : s;
}

function typeName(mode: bigint): string {
  switch (Number(mode) & constants.S_IFMT) {
    case constants.S_IFREG: return 'file';
    case constants.S_IFDIR: return 'dir';
    case constants.S_IFLNK: return 'symlink';
    case constants.S_IFIFO: return 'fifo';
    case constants.S_IFSOCK: return 'socket';
    case constants.S_IFCHR: return 'chardev';
    case constants.S_IFBLK: return 'blockdev';
    default: return 'unknown';
  }
}

function fileHash(path: Buffer): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** First byte offset where two files differ, for a precise message. */
function firstDifference(a: Buffer, b: Buffer): number {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  try {
    const ba = Buffer.allocUnsafe(1 << 20);
    const bb = Buffer.allocUnsafe(1 << 20);
    for (let off = 0; ; off += ba.length) {
      const na = readSync(fa, ba, 0, ba.length, off);
      const nb = readSync(fb, bb, 0, bb.length, off);
      const n = Math.min(na, nb);
      for (let i = 0; i < n; i++) if (ba[i] !== bb[i]) return off + i;
      if (na !== nb || na === 0) return off + n;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

function fmtNs(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  return `${neg ? '-' : ''}${a / 1_000_000_000n}.${String(a % 1_000_000_000n).padStart(9, '0')}`;
}

interface Walked {
  readonly rel: Buffer;
  readonly st: BigIntStats;
}

function* walk(root: Buffer, rel: Buffer = Buffer.alloc(0)): Generator<Walked> {
  const full = rel.length ? Buffer.concat([root, SLASH, rel]) : root;
  const st = lstatSync(full, { bigint: true });
  yield { rel, st };
  if (st.isDirectory()) {
    const names = (readdirSync(full, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
    for (const n of names) yield* walk(root, rel.length ? Buffer.concat([rel, SLASH, n]) : n);
  }
}

const SLASH = Buffer.from('/');

/** Returns the differences between `expected` and `actual` (empty when they match). */
export function compareTrees(expected: string | Buffer, actual: string | Buffer, opts: CompareOptions): string[] {
  const ea = Buffer.from(expected);
  const aa = Buffer.from(actual);
  const max = opts.maxDiffs ?? 40;
  const diffs: string[] = [];
  const add = (rel: Buffer, msg: string) => {
    if (diffs.length < max) diffs.push(`${showPath(rel)}: ${msg}`);
  };
  const left = new Map<string, Walked>();
  for (const w of walk(ea)) left.set(w.rel.toString('latin1'), w);
  const right = new Map<string, Walked>();
  for (const w of walk(aa)) right.set(w.rel.toString('latin1'), w);
  for (const k of right.keys()) if (!left.has(k)) add(Buffer.from(k, 'latin1'), 'unexpected entry in the restored tree');

  const hashed = new Map<string, boolean>(); // expected inode → already compared
  // Hardlink structure: expected inode groups must map to the same groups in actual.
  const groupsE = new Map<string, string[]>();
  const groupsA = new Map<string, string[]>();
  for (const [k, e] of left) {
    const a = right.get(k);
    const rel = e.rel;
    if (!a) {
      add(rel, `missing in the restored tree (${typeName(e.st.mode)})`);
      continue;
    }
    const te = typeName(e.st.mode);
    const ta = typeName(a.st.mode);
    if (te !== ta) {
      add(rel, `type ${ta}, expected ${te}`);
      continue;
    }
    const isRoot = rel.length === 0;
    if (te !== 'symlink') {
      const pe = Number(e.st.mode) & 0o7777;
      const pa = Number(a.st.mode) & 0o7777;
      if (pe !== pa) add(rel, `mode ${pa.toString(8).padStart(4, '0')}, expected ${pe.toString(8).padStart(4, '0')}`);
    }
    if (opts.owners !== false && (e.st.uid !== a.st.uid || e.st.gid !== a.st.gid)) add(rel, `owner ${a.st.uid}:${a.st.gid}, expected ${e.st.uid}:${e.st.gid}`);
    if (!isRoot || opts.rootMtime) {
      const d = a.st.mtimeNs - e.st.mtimeNs;
      if ((d < 0n ? -d : d) > opts.mtimeToleranceNs) add(rel, `mtime ${fmtNs(a.st.mtimeNs)}, expected ${fmtNs(e.st.mtimeNs)} (off by ${fmtNs(d)} s, tolerance ${opts.mtimeToleranceNs} ns)`);
    }
    if (te === 'file') {
      if (e.st.size !== a.st.size) add(rel, `size ${a.st.size}, expected ${e.st.size}`);
      else {
        const ino = `${e.st.dev}:${e.st.ino}`;
        if (!hashed.has(ino)) {
          hashed.set(ino, true);
          const fe = Buffer.concat([ea, SLASH, rel]);
          const fa = Buffer.concat([aa, SLASH, rel]);
          if (fileHash(fe) !== fileHash(fa)) add(rel, `content differs (first at byte ${firstDifference(fe, fa)})`);
        }
      }
      if (e.st.nlink !== a.st.nlink) add(rel, `${a.st.nlink} links, expected ${e.st.nlink}`);
      if (e.st.nlink > 1n) {
        push(groupsE, `${e.st.dev}:${e.st.ino}`, k);
        push(groupsA, `${a.st.dev}:${a.st.ino}`, k);
      }
    }
    if (te === 'symlink') {
      const le = readlinkSync(Buffer.concat([ea, SLASH, rel]), { encoding: 'buffer' });
      const la = readlinkSync(Buffer.concat([aa, SLASH, rel]), { encoding: 'buffer' });
      if (!le.equals(la)) add(rel, `symlink target ${showPath(la)}, expected ${showPath(le)}`);
    }
    if ((te === 'chardev' || te === 'blockdev') && e.st.rdev !== a.st.rdev) add(rel, `device ${a.st.rdev}, expected ${e.st.rdev}`);
  }
  const canon = (g: Map<string, string[]>) => new Set([...g.values()].map((paths) => paths.sort().map((p) => showPath(Buffer.from(p, 'latin1'))).join(' = ')));
  const ce = canon(groupsE);
  const ca = canon(groupsA);
  for (const g of ce) if (!ca.has(g)) add(Buffer.alloc(0), `hardlink group [${g}] is not one inode in the restored tree (restored groups: ${[...ca].join('; ') || 'none'})`);
  return diffs;
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Asserts the trees match; the message lists the first differences. */
export function assertSameTree(expected: string | Buffer, actual: string | Buffer, opts: CompareOptions, what = 'restored tree'): void {
  const diffs = compareTrees(expected, actual, opts);
  assert.deepEqual(diffs, [], `${what} differs from ${showPath(Buffer.from(expected))} (first ${diffs.length} differences):\n  ${diffs.join('\n  ')}`);
}

/** Counts entries by type (to assert that a generated tree really has what it should). */
export function countTree(root: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of walk(Buffer.from(root))) {
    const t = typeName(w.st.mode);
    counts[t] = (counts[t] ?? 0) + 1;
  }
  return counts;
}
