import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { isLifeboatError } from '../errors/index.js';
import { currentBinding, getXattr, listXattrs, NATIVE_ABI, nativeAvailable, scanDir, type StatFields, nativeLoadError, setTimesNs, setXattr, timespecFromNs, xattrsAvailable } from './fs-native.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(base = tmpdir()): string {
  const d = mkdtempSync(join(base, 'lifeboat-fs-native-'));
  dirs.push(d);
  return d;
}

const code = (c: string) => (e: unknown) => (e as NodeJS.ErrnoException)?.code === c;

// Deliberately not a skip: a missing addon means `npm ci` / `npm run install` failed to
// build native/, and restores silently lose sub-microsecond times and all xattrs.
test('the native helper is built and loads', () => {
  assert.ok(nativeAvailable, `native helper did not load (${nativeLoadError}); build it with \`npm run install\` (node-gyp rebuild -C native)`);
  assert.equal(nativeLoadError, undefined);
  if (process.platform === 'linux') assert.ok(xattrsAvailable);
});

test('an addon from another version is not used: the reason names both versions and how to rebuild', () => {
  const current = { abi: NATIVE_ABI, scanDir: () => undefined };
  assert.equal(currentBinding(current, '/x/fs_native.node').binding, current);
  for (const stale of [{ scanDir: () => undefined }, { abi: NATIVE_ABI - 1 }, { abi: NATIVE_ABI + 1 }]) {
    const r = currentBinding(stale as { abi?: number }, '/x/fs_native.node');
    assert.equal(r.binding, undefined);
    assert.match(r.error ?? '', new RegExp(`/x/fs_native\\.node was built from another version .*native ABI ${stale.abi ?? 1}, expected ${NATIVE_ABI}.*npm ci`));
  }
});

test('setTimesNs: nanosecond mtime and atime read back exactly', () => {
  const p = join(tempDir(), 'f');
  writeFileSync(p, 'x');
  setTimesNs(Buffer.from(p), { sec: 1_600_000_000n, nsec: 987_654_321 }, { sec: 1_700_000_000n, nsec: 123_456_789 });
  const st = lstatSync(p, { bigint: true });
  assert.equal(st.mtimeNs, 1_700_000_000_123_456_789n);
  assert.equal(st.atimeNs, 1_600_000_000_987_654_321n);
});

test('setTimesNs: on a symlink sets the link, not its target', () => {
  const d = tempDir();
  const target = join(d, 'target');
  const link = join(d, 'link');
  writeFileSync(target, 'x');
  symlinkSync('target', link);
  const before = statSync(target, { bigint: true }).mtimeNs;
  setTimesNs(Buffer.from(link), { sec: 1_700_000_000n, nsec: 1 }, { sec: 1_700_000_000n, nsec: 123_456_789 });
  assert.equal(lstatSync(link, { bigint: true }).mtimeNs, 1_700_000_000_123_456_789n);
  assert.equal(lstatSync(link, { bigint: true }).atimeNs, 1_700_000_000_000_000_001n);
  assert.equal(statSync(target, { bigint: true }).mtimeNs, before);
});

test('setTimesNs: before 1970, and a file name that is not UTF-8', () => {
  const d = tempDir();
  const p = Buffer.concat([Buffer.from(d + '/bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]);
  writeFileSync(p, 'x');
  const t = timespecFromNs(-999_999_995n); // 1969-12-31T23:59:59.000000005Z
  assert.deepEqual(t, { sec: -1n, nsec: 5 });
  setTimesNs(p, t, t);
  assert.equal(lstatSync(p, { bigint: true }).mtimeNs, -999_999_995n);
});

test('setTimesNs: errors', () => {
  const missing = join(tempDir(), 'missing');
  const t = { sec: 0n, nsec: 0 };
  assert.throws(
    () => setTimesNs(Buffer.from(missing), t, t),
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.errno === -2 && e.syscall === 'utimensat' && e.path === missing && e.message.startsWith('ENOENT: no such file or directory'),
  );
  assert.throws(() => setTimesNs(missing, { sec: 0n, nsec: 1e9 }, t), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => setTimesNs(missing, t, { sec: 0n, nsec: -1 }), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => setTimesNs(missing, t, { sec: 0n, nsec: 0.5 }), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => setTimesNs(Buffer.from('a\0b'), t, t), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => setTimesNs(missing, { sec: 2n ** 63n, nsec: 0 }, t), code('ERR_OUT_OF_RANGE'));
});

test('timespecFromNs floors', () => {
  assert.deepEqual(timespecFromNs(0n), { sec: 0n, nsec: 0 });
  assert.deepEqual(timespecFromNs(1_700_000_000_123_456_789n), { sec: 1_700_000_000n, nsec: 123_456_789 });
  assert.deepEqual(timespecFromNs(-1n), { sec: -1n, nsec: 999_999_999 });
  assert.deepEqual(timespecFromNs(-1_000_000_000n), { sec: -1n, nsec: 0 });
});

/** A fresh directory whose file system takes user.* xattrs: os.tmpdir(), else /var/tmp. */
function xattrDir(): string | undefined {
  assert.ok(xattrsAvailable, `native helper did not load (${nativeLoadError})`); // so ENOTSUP below is the file system's
  for (const base of [tmpdir(), '/var/tmp']) {
    let d: string;
    try {
      d = tempDir(base);
    } catch {
      continue;
    }
    const probe = join(d, 'probe');
    writeFileSync(probe, '');
    try {
      setXattr(probe, 'user.lifeboat-probe', new Uint8Array([1]));
      rmSync(probe);
      return d;
    } catch (e) {
      if (!code('ENOTSUP')(e)) throw e;
    }
  }
  return undefined;
}

test('xattrs: set, list and get a binary user.* value', (t) => {
  const d = xattrDir();
  if (d === undefined) {
    // The addon works (asserted above); the file systems here just refuse user xattrs.
    t.skip(`no user xattr support in ${tmpdir()} or /var/tmp`);
    return;
  }
  const p = Buffer.concat([Buffer.from(d + '/x-'), Buffer.from([0x80])]);
  writeFileSync(p, 'x');
  assert.deepEqual(listXattrs(p), []);
  const value = Uint8Array.from({ length: 256 }, (_, i) => i);
  setXattr(p, Buffer.from('user.test'), value);
  setXattr(p, 'user.empty', new Uint8Array(0));
  setXattr(p, 'user.sub', value.subarray(10, 20)); // a view: only its own bytes are written
  const names = listXattrs(p).map((n) => n.toString('latin1')).sort();
  assert.deepEqual(names, ['user.empty', 'user.sub', 'user.test']);
  assert.deepEqual(new Uint8Array(getXattr(p, Buffer.from('user.test'))), value);
  assert.equal(getXattr(p, 'user.empty').length, 0);
  assert.deepEqual(new Uint8Array(getXattr(p, 'user.sub')), value.subarray(10, 20));
  setXattr(p, 'user.test', new Uint8Array([42])); // replaces
  assert.deepEqual([...getXattr(p, 'user.test')], [42]);

  assert.throws(() => getXattr(p, 'user.missing'), (e: NodeJS.ErrnoException) => e.code === 'ENODATA' && e.syscall === 'lgetxattr');
  assert.throws(() => listXattrs(join(d, 'missing')), code('ENOENT'));
  assert.throws(() => setXattr(p, 'nonamespace', value), (e: NodeJS.ErrnoException) => e.code === 'ENOTSUP' || e.code === 'EPERM' || e.code === 'EINVAL');
  assert.throws(() => getXattr(p, 'user.a\0b'), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
});

test('xattrs: a symlink is not followed', (t) => {
  const d = xattrDir();
  if (d === undefined) return t.skip('no user xattr support');
  writeFileSync(join(d, 'target'), 'x');
  setXattr(join(d, 'target'), 'user.t', new Uint8Array([7]));
  symlinkSync('target', join(d, 'link'));
  const names = listXattrs(join(d, 'link')).map((n) => n.toString());
  assert.ok(!names.includes('user.t'), `the link's list shows its target's attribute: ${names.join(',')}`);
  assert.throws(() => getXattr(join(d, 'link'), 'user.t'), (e: NodeJS.ErrnoException) => e.code === 'ENODATA' || e.code === 'EPERM');
});

test('the helper loads and works in a worker thread too', async () => {
  const p = join(tempDir(), 'w');
  writeFileSync(p, 'x');
  const moduleUrl = new URL('./fs-native.js', import.meta.url).href;
  const src = `
    const { parentPort, workerData } = await import('node:worker_threads');
    const m = await import(${JSON.stringify(moduleUrl)});
    m.setTimesNs(workerData, { sec: 1n, nsec: 0 }, { sec: 1700000000n, nsec: 999999999 });
    parentPort.postMessage(m.nativeAvailable);`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: p });
  const available = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  assert.equal(available, true);
  assert.equal(lstatSync(p, { bigint: true }).mtimeNs, 1_700_000_000_999_999_999n);
});

test('without the helper (LIFEBOAT_NATIVE=0): microsecond times, no xattrs', () => {
  const p = join(tempDir(), 'f');
  writeFileSync(p, 'x');
  const moduleUrl = new URL('./fs-native.js', import.meta.url).href;
  const src = `
    const m = await import(${JSON.stringify(moduleUrl)});
    const p = ${JSON.stringify(p)};
    m.setTimesNs(p, { sec: -2n, nsec: 999_999_999 }, { sec: 1700000000n, nsec: 123456789 });
    let getCode, setCode;
    try { m.getXattr(p, 'user.x'); } catch (e) { getCode = e.code; }
    try { m.setXattr(p, 'user.x', new Uint8Array(1)); } catch (e) { setCode = e.code; }
    console.log(JSON.stringify({ available: m.nativeAvailable, xattrs: m.xattrsAvailable, why: m.nativeLoadError, list: m.listXattrs(p).length, getCode, setCode }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { env: { ...process.env, LIFEBOAT_NATIVE: '0' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { available: false, xattrs: false, why: 'disabled by LIFEBOAT_NATIVE=0', list: 0, getCode: 'ENOTSUP', setCode: 'ENOTSUP' });
  const st = lstatSync(p, { bigint: true });
  assert.equal(st.mtimeNs, 1_700_000_000_123_456_000n); // floored to the microsecond
  assert.equal(st.atimeNs, -1_000_001_000n); // before 1970: floored, not "now"
});

const FIELDS: (keyof StatFields)[] = ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'atimeNs', 'mtimeNs', 'ctimeNs'];

/** What scanDir must agree with, in the same order: readdir (sorted by name bytes), lstat({ bigint }) and llistxattr, one entry at a time. */
function slowScan(dir: Buffer) {
  return readdirSync(dir, { encoding: 'buffer' })
    .map((name) => {
      const p = Buffer.concat([dir, Buffer.from('/'), name]);
      const st = lstatSync(p, { bigint: true });
      return { name: name.toString('latin1'), stat: Object.fromEntries(FIELDS.map((f) => [f, st[f]])), hasXattrs: listXattrs(p).length > 0 };
    });
}

function fastScan(dir: Buffer) {
  return scanDir(dir)!
    .map((e) => {
      assert.equal(e.errno, 0);
      return { name: e.name.toString('latin1'), stat: Object.fromEntries(FIELDS.map((f) => [f, e.stat![f]])), hasXattrs: e.xattrListSize > 0 };
    });
}

test('scanDir: every entry with the lstat and xattr presence that readdir, lstat and llistxattr give', (t) => {
  const d = tempDir();
  writeFileSync(join(d, 'file'), 'hello');
  mkdirSync(join(d, 'dir'));
  symlinkSync('file', join(d, 'link'));
  symlinkSync('/nowhere', join(d, 'dangling'));
  writeFileSync(Buffer.from(`${d}/caf\xe9-latin1`, 'latin1'), '');
  spawnSync('mkfifo', [join(d, 'fifo')]);
  setTimesNs(Buffer.from(join(d, 'file')), { sec: -5n, nsec: 1 }, { sec: 1_700_000_000n, nsec: 999_999_999 });
  // Year 2286: in nanoseconds beyond 64 bits, so the scan gives it from seconds and nanoseconds.
  setTimesNs(Buffer.from(join(d, 'dir')), { sec: 10_000_000_000n, nsec: 5 }, { sec: 10_000_000_000n, nsec: 999_999_999 });
  let xattrs = false;
  try {
    setXattr(Buffer.from(join(d, 'file')), Buffer.from('user.lifeboat'), Buffer.from('v'));
    xattrs = true;
  } catch (e) {
    if (!code('ENOTSUP')(e) && !code('EOPNOTSUPP')(e)) throw e;
    t.diagnostic('no user xattrs on this file system: presence is compared as none');
  }
  const want = slowScan(Buffer.from(d));
  assert.deepEqual(fastScan(Buffer.from(d)), want);
  assert.ok(want.some((e) => e.name.startsWith('caf') && e.name.length === '-latin1'.length + 4), 'the non-UTF-8 name comes back byte for byte');
  if (xattrs) assert.ok(want.find((e) => e.name === 'file')!.hasXattrs);
  assert.deepEqual(scanDir(Buffer.from(join(d, 'dir'))), []);
});

test('scanDir: any set of names comes back exactly, in byte order', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((b) => !b.includes(0) && !b.includes(0x2f) && !(b.length <= 2 && b.every((x) => x === 0x2e))), { maxLength: 12, selector: (b) => Buffer.from(b).toString('latin1') }), (names) => {
      const d = tempDir();
      for (const n of names) writeFileSync(Buffer.concat([Buffer.from(d + '/'), n]), n);
      assert.deepEqual(fastScan(Buffer.from(d)), slowScan(Buffer.from(d)));
      const got = scanDir(Buffer.from(d))!.map((e) => e.name);
      assert.deepEqual(got, [...names].map((n) => Buffer.from(n)).sort(Buffer.compare));
      rmSync(d, { recursive: true, force: true });
    }),
    { numRuns: 40 },
  );
});

test('scanDir: a directory that cannot be read fails like readdirSync', () => {
  const d = tempDir();
  writeFileSync(join(d, 'file'), 'x');
  assert.throws(() => scanDir(Buffer.from(join(d, 'missing'))), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.syscall === 'scandir' && /missing/.test(e.message));
  assert.throws(() => scanDir(Buffer.from(join(d, 'file'))), code('ENOTDIR'));
});
