// Extended attributes and nanosecond times survive both directions between Lifeboat and restic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { getXattr, listXattrs, setTimesNs, setXattr } from '../../src/lib/fs-native.js';
import { expectExit, lifeboat, lifeboatInit, repoCtx, requireRestic, restic, resticInit, TempDir } from './support/run.js';

const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

function makeTree(root: string): void {
  mkdirSync(`${root}/dir`, { recursive: true });
  writeFileSync(`${root}/dir/a.txt`, 'attributes and times\n');
  writeFileSync(`${root}/dir/b.bin`, BINARY);
  symlinkSync('a.txt', `${root}/dir/link`);
  setXattr(`${root}/dir/a.txt`, 'user.lifeboat.text', Buffer.from('hello'));
  setXattr(`${root}/dir/b.bin`, 'user.lifeboat.binary', BINARY);
  setXattr(`${root}/dir`, 'user.lifeboat.dir', Buffer.from('on a directory'));
  setTimesNs(`${root}/dir/a.txt`, { sec: 1700000000n, nsec: 123456789 }, { sec: 1700000000n, nsec: 987654321 });
  setTimesNs(`${root}/dir/b.bin`, { sec: 1600000000n, nsec: 1 }, { sec: 1600000000n, nsec: 999999999 });
  setTimesNs(`${root}/dir/link`, { sec: 1500000000n, nsec: 5 }, { sec: 1500000000n, nsec: 555555555 });
  setTimesNs(`${root}/dir`, { sec: 1400000000n, nsec: 7 }, { sec: 1400000000n, nsec: 777777777 });
}

function expectSame(src: string, restored: string): void {
  for (const rel of ['dir', 'dir/a.txt', 'dir/b.bin', 'dir/link']) {
    const a = lstatSync(`${src}/${rel}`, { bigint: true });
    const b = lstatSync(`${restored}/${rel}`, { bigint: true });
    assert.equal(b.mtimeNs, a.mtimeNs, `mtime of ${rel}`);
    const names = (p: string) => listXattrs(p).map((n) => n.toString()).sort();
    assert.deepEqual(names(`${restored}/${rel}`), names(`${src}/${rel}`), `xattr names of ${rel}`);
    for (const n of names(`${src}/${rel}`)) assert.deepEqual(getXattr(`${restored}/${rel}`, n), getXattr(`${src}/${rel}`, n), `xattr ${n} of ${rel}`);
  }
}

describe('extended attributes and nanosecond times', { timeout: 120_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-xattr-');
  const src = tmp.join('src');

  before(() => {
    requireRestic();
    makeTree(src);
  });
  after(() => tmp.cleanup());

  test('Lifeboat backs them up and restic restores them exactly', () => {
    const ctx = repoCtx(tmp, 'lb');
    lifeboatInit(ctx);
    expectExit(lifeboat(ctx, ['backup', src]), 0);
    expectExit(restic(ctx, ['check', '--read-data']), 0);
    const out = tmp.join('restic-out');
    expectExit(restic(ctx, ['restore', 'latest', '--target', out]), 0);
    expectSame(src, `${out}${src}`);
  });

  test('restic backs them up and Lifeboat restores them exactly', () => {
    const ctx = repoCtx(tmp, 'rs');
    resticInit(ctx);
    expectExit(restic(ctx, ['backup', src]), 0);
    const out = tmp.join('lifeboat-out');
    expectExit(lifeboat(ctx, ['restore', 'latest', '--target', out]), 0);
    expectSame(src, `${out}${src}`);
  });
});
