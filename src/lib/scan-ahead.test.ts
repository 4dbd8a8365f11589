import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { scanDir, type ScannedEntry } from './fs-native.js';
import { ScanAhead } from './scan-ahead.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-scan-ahead-'));
  dirs.push(d);
  return d;
}

const SLASH = Buffer.from('/');
const child = (dir: Buffer, name: Buffer) => Buffer.concat([dir, SLASH, name]);
const isDir = (e: ScannedEntry) => e.stat !== undefined && (Number(e.stat.mode) & 0o170000) === 0o040000;

/**
 * An entry without a directory's atime: reading a directory may update it (relatime), and the
 * thread reads subdirectories before this test's second scan of their parent does.
 */
const sansDirAtime = (e: ScannedEntry) => (isDir(e) ? { ...e, stat: { ...e.stat!, atimeNs: 0n } } : e);

/** A file tree: a name's value is file content, or a subtree. */
type Tree = Map<string, string | Tree>;

// Names from bytes on both sides of '/' (0x2f), so that walk order is not plain byte order of
// the paths: "a-b" sorts before "a/x" as bytes, but the walk enters "a" first.
const arbName = fc
  .array(fc.constantFrom(0x20, 0x2d, 0x2e, 0x30, 0x61, 0x62, 0xe9, 0xff), { minLength: 1, maxLength: 3 })
  .map((b) => Buffer.from(b).toString('latin1'))
  .filter((n) => n !== '.' && n !== '..');
const arbTree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc
    .uniqueArray(fc.tuple(arbName, fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.string({ maxLength: 3 }), tie('tree'))), { maxLength: 5, selector: ([n]) => n })
    .map((entries) => new Map(entries)),
})).tree;

function write(dir: Buffer, tree: Tree): void {
  mkdirSync(dir);
  for (const [name, v] of tree) {
    const p = child(dir, Buffer.from(name, 'latin1'));
    if (typeof v === 'string') writeFileSync(p, v);
    else write(p, v);
  }
}

/**
 * Walks `roots` as the archiver does (each root depth first, entries in byte order), taking
 * each directory's scan from `ahead` and checking it against scanDir. Directories for which
 * `skipped` says so are not entered (and reported with skip when `hint`).
 */
function walk(ahead: ScanAhead, roots: readonly Buffer[], skipped: (path: Buffer) => boolean, hint: boolean): { dirs: number; misses: number } {
  let dirs = 0;
  let misses = 0;
  const visit = (dir: Buffer): void => {
    dirs++;
    const want = scanDir(dir)!;
    const got = ahead.take(dir);
    if (got === undefined) misses++;
    else assert.deepEqual(got.map(sansDirAtime), want.map(sansDirAtime), dir.toString('latin1'));
    for (const e of want) {
      if (!isDir(e)) continue;
      const p = child(dir, e.name);
      if (!skipped(p)) visit(p);
      else if (hint) ahead.skip(p);
    }
  };
  for (const r of roots) visit(r);
  return { dirs, misses };
}

test('scans ahead equal scanDir for every directory of random trees, walked in order, also with directories skipped', () => {
  fc.assert(
    fc.property(fc.array(arbTree, { minLength: 1, maxLength: 3 }), fc.func(fc.boolean()), fc.boolean(), (trees, skipFn, hint) => {
      const base = tempDir();
      const roots = trees.map((t, i) => {
        const r = Buffer.from(join(base, `root${2 - i}`)); // not in byte order: the walk's order is the given one
        write(r, t);
        return r;
      });
      const skipped = (p: Buffer) => p.length % 3 === 0 && skipFn(p.toString('latin1'));
      const ahead = ScanAhead.start(roots)!;
      try {
        const r = walk(ahead, roots, skipped, hint);
        assert.equal(r.misses, 0, 'every directory walked was scanned ahead');
      } finally {
        ahead.close();
        rmSync(base, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
});

test('a directory the thread never scans is left to the caller: outside the roots, not a directory, a symlink, after close', () => {
  const base = tempDir();
  mkdirSync(join(base, 'a', 'sub'), { recursive: true });
  mkdirSync(join(base, 'elsewhere'));
  writeFileSync(join(base, 'file'), 'x');
  symlinkSync(join(base, 'a'), join(base, 'link'));
  const roots = ['file', 'link', 'a'].map((n) => Buffer.from(join(base, n)));
  const ahead = ScanAhead.start(roots)!;
  assert.equal(ahead.take(Buffer.from(join(base, 'file'))), undefined, 'a file: its scan failed (ENOTDIR)');
  assert.equal(ahead.take(Buffer.from(join(base, 'elsewhere'))), undefined, 'not under a root');
  assert.equal(ahead.take(Buffer.from(join(base, 'link'))), undefined, 'a symlinked root is not followed');
  assert.deepEqual(ahead.take(Buffer.from(join(base, 'a')))!.map(sansDirAtime), scanDir(join(base, 'a'))!.map(sansDirAtime));
  ahead.close();
  assert.equal(ahead.take(Buffer.from(join(base, 'a', 'sub'))), undefined, 'closed');
  ahead.close(); // twice is harmless
});

test('a directory the walk finds but the thread did not (made after its scan) is left to the caller', () => {
  const base = tempDir();
  mkdirSync(join(base, 'r', 'kept'), { recursive: true });
  const ahead = ScanAhead.start([Buffer.from(join(base, 'r'))])!;
  try {
    const root = ahead.take(Buffer.from(join(base, 'r')))!;
    assert.deepEqual(root.map((e) => e.name.toString()), ['kept']);
    mkdirSync(join(base, 'r', 'a-new'));
    assert.equal(ahead.take(Buffer.from(join(base, 'r', 'a-new'))), undefined);
    assert.deepEqual(ahead.take(Buffer.from(join(base, 'r', 'kept'))), [], 'and the walk goes on with the scans ahead');
  } finally {
    ahead.close();
  }
});

test('a large tree: the thread waits for the walk (bounded queue) and every directory still comes in order', () => {
  const base = tempDir();
  const root = Buffer.from(join(base, 'big'));
  mkdirSync(root);
  for (let i = 0; i < 60; i++) {
    const d = join(root.toString(), `d${i}`);
    mkdirSync(d);
    for (let j = 0; j < 700; j++) writeFileSync(join(d, `f${j}`), '');
  }
  const ahead = ScanAhead.start([root])!;
  try {
    assert.deepEqual(walk(ahead, [root], () => false, false), { dirs: 61, misses: 0 });
  } finally {
    ahead.close();
  }
});
