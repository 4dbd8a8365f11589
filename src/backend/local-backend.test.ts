import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isLifeboatError, type ErrorCode } from '../errors/index.js';
import { hashId, type Handle } from '../model/index.js';
import { runBackendContract } from './backend.contract.js';
import { codeForErrno, fsError } from './fs-error.js';
import { LocalBackend } from './local-backend.js';

let base = '';
let counter = 0;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'lifeboat-local-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A fresh repository folder path inside the test's temp dir; not created. */
function repoDir(): string {
  return join(base, `repo-${++counter}`);
}

async function fresh(): Promise<{ dir: string; b: LocalBackend }> {
  const dir = repoDir();
  const b = new LocalBackend(dir);
  await b.create();
  return { dir, b };
}

/** Every path below `dir`, relative, folders with a trailing slash. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => `${join(e.parentPath, e.name).slice(dir.length + 1)}${e.isDirectory() ? '/' : ''}`).sort();
}

function file(type: Handle['type'], size = 100): { h: Handle; data: Uint8Array } {
  const data = new Uint8Array(randomBytes(size));
  return { h: { type, name: type === 'config' ? '' : hashId(data) }, data };
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isLifeboatError(e), `expected LifeboatError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern !== undefined) assert.match(e.message, pattern);
    return true;
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

runBackendContract('local', async () => {
  const dir = repoDir();
  return { backend: new LocalBackend(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('LocalBackend', () => {
  it('create makes the repository and type folders with mode 0700, and no data/xx yet', async () => {
    const { dir } = await fresh();
    assert.deepEqual(await tree(dir), ['data/', 'index/', 'keys/', 'locks/', 'snapshots/']);
    for (const d of ['', 'data', 'index', 'keys', 'locks', 'snapshots']) assert.equal((await stat(join(dir, d))).mode & 0o777, 0o700, d);
  });

  it("writes files at restic's paths, mode 0400, and leaves no temp file", async () => {
    const { dir, b } = await fresh();
    const files = [file('config'), file('key'), file('snapshot'), file('index'), file('lock'), file('data'), file('data')];
    await Promise.all(files.map(({ h, data }) => b.save(h, data)));
    const paths = files.map(({ h }) => {
      if (h.type === 'config') return 'config';
      const dirName = { key: 'keys', snapshot: 'snapshots', index: 'index', lock: 'locks', data: `data/${h.name.slice(0, 2)}` }[h.type];
      return `${dirName}/${h.name}`;
    });
    for (const p of paths) assert.equal((await stat(join(dir, p))).mode & 0o777, 0o400, p);
    const dataDirs = files.filter(({ h }) => h.type === 'data').map(({ h }) => `data/${h.name.slice(0, 2)}/`);
    for (const d of dataDirs) assert.equal((await stat(join(dir, d))).mode & 0o777, 0o700, d);
    const expected = new Set([...paths, ...dataDirs, 'data/', 'index/', 'keys/', 'locks/', 'snapshots/']);
    assert.deepEqual(await tree(dir), [...expected].sort());
  });

  it('lists only complete files: temp files, foreign names and misplaced packs are skipped', async () => {
    const { dir, b } = await fresh();
    const idx = file('index');
    const pack = file('data');
    await b.save(idx.h, idx.data);
    await b.save(pack.h, pack.data);
    const other = hashId(new Uint8Array([1]));
    const sub = pack.h.name.slice(0, 2);
    const wrongSub = sub === '00' ? '01' : '00';
    await writeFile(join(dir, 'index', `${other}-tmp-0123abcd`), 'partial');
    await writeFile(join(dir, 'index', 'README'), 'x');
    await writeFile(join(dir, 'index', other.toUpperCase()), 'x');
    await mkdir(join(dir, 'index', other));
    await writeFile(join(dir, 'data', sub, `${other}-tmp-99`), 'partial');
    await mkdir(join(dir, 'data', 'zz'));
    await writeFile(join(dir, 'data', 'zz', other), 'x');
    await writeFile(join(dir, 'data', 'stray'), 'x');
    await writeFile(join(dir, 'data', other), 'x');
    await mkdir(join(dir, 'data', wrongSub), { recursive: true });
    await writeFile(join(dir, 'data', wrongSub, pack.h.name.replace(/^../, wrongSub === '00' ? '11' : '22')), 'x');
    await writeFile(join(dir, 'config-tmp-abc'), 'x');

    const list = async (t: Handle['type']) => {
      const out = [];
      for await (const i of b.list(t)) out.push(i);
      return out;
    };
    assert.deepEqual(await list('index'), [{ name: idx.h.name, size: 100 }]);
    assert.deepEqual(await list('data'), [{ name: pack.h.name, size: 100 }]);
    assert.deepEqual(await list('config'), []);
  });

  it("reads restic's init layout (all data/00..ff present) and one without data/ at all", async () => {
    const { dir, b } = await fresh();
    for (let i = 0; i < 256; i++) await mkdir(join(dir, 'data', i.toString(16).padStart(2, '0')), { recursive: true });
    const pack = file('data');
    await b.save(pack.h, pack.data);
    const names = [];
    for await (const i of b.list('data')) names.push(i.name);
    assert.deepEqual(names, [pack.h.name]);

    await rm(join(dir, 'data'), { recursive: true });
    await rm(join(dir, 'locks'), { recursive: true });
    for await (const i of b.list('data')) assert.fail(`unexpected ${i.name}`);
    for await (const i of b.list('lock')) assert.fail(`unexpected ${i.name}`);
  });

  it('does not create a missing repository or type folder on save (an unmounted disk must not be papered over)', async () => {
    const dir = repoDir();
    const b = new LocalBackend(dir);
    const snap = file('snapshot');
    await rejectsWith(b.save(snap.h, snap.data), 'BACKEND_NOT_FOUND', /cannot write snapshots\/.{8}… at .*repo-\d+: the folder does not exist; create the repository first/);
    const pack = file('data');
    await rejectsWith(b.save(pack.h, pack.data), 'BACKEND_NOT_FOUND');
    await assert.rejects(stat(dir), /ENOENT/);

    await b.create();
    await rm(join(dir, 'keys'), { recursive: true });
    const key = file('key');
    await rejectsWith(b.save(key.h, key.data), 'BACKEND_NOT_FOUND');
    await assert.rejects(stat(join(dir, 'keys')), /ENOENT/);
  });

  it('removes its temp file when a save fails', async () => {
    const { dir, b } = await fresh();
    const idx = file('index');
    // A non-empty folder under the final name makes the rename fail after the temp file was written.
    await mkdir(join(dir, 'index', idx.h.name, 'x'), { recursive: true });
    await rejectsWith(b.save(idx.h, idx.data), 'BACKEND_IO', /cannot write index\/.{8}… at /);
    assert.deepEqual(await readdir(join(dir, 'index')), [idx.h.name]);
  });

  it('removes read-only files', async () => {
    const { dir, b } = await fresh();
    const lock = file('lock');
    await b.save(lock.h, lock.data);
    await b.remove(lock.h);
    assert.deepEqual(await readdir(join(dir, 'locks')), []);
  });

  it('reads a range without reading the whole file (3 GiB sparse pack)', async () => {
    const { dir, b } = await fresh();
    const name = 'ab'.repeat(32);
    const size = 3 * 1024 ** 3;
    await mkdir(join(dir, 'data', 'ab'));
    // Sparse: takes no disk space. readFile refuses files over 2 GiB, so this also proves the range path.
    await writeFile(join(dir, 'data', 'ab', name), '');
    await truncate(join(dir, 'data', 'ab', name), size);
    const h: Handle = { type: 'data', name };
    const got = await b.load(h, { offset: size - 10, length: 10 });
    assert.deepEqual([...got], new Array(10).fill(0));
    assert.deepEqual(await b.stat(h), { name, size });
    await rejectsWith(b.load(h, { offset: size - 10, length: 11 }), 'INVALID_DATA', /has only 3221225472 bytes/);
  });

  it('maps a permission error on save to BACKEND_PERMISSION_DENIED', { skip: isRoot ? 'root ignores permission bits; the errno mapping is tested directly below' : false }, async () => {
    const { dir, b } = await fresh();
    await chmod(join(dir, 'snapshots'), 0o500);
    try {
      const snap = file('snapshot');
      await rejectsWith(b.save(snap.h, snap.data), 'BACKEND_PERMISSION_DENIED', /permission denied; check the owner and mode/);
    } finally {
      await chmod(join(dir, 'snapshots'), 0o700);
    }
  });
});

describe('fsError', () => {
  it('maps errno names to codes', () => {
    const table: [string | undefined, ErrorCode][] = [
      ['ENOENT', 'BACKEND_NOT_FOUND'],
      ['EACCES', 'BACKEND_PERMISSION_DENIED'],
      ['EPERM', 'BACKEND_PERMISSION_DENIED'],
      ['EROFS', 'BACKEND_PERMISSION_DENIED'],
      ['ENOSPC', 'BACKEND_NO_SPACE'],
      ['EDQUOT', 'BACKEND_NO_SPACE'],
      ['EIO', 'BACKEND_IO'],
      ['EMFILE', 'BACKEND_IO'],
      [undefined, 'BACKEND_IO'],
    ];
    for (const [errno, code] of table) assert.equal(codeForErrno(errno), code, String(errno));
  });

  it('says what failed, where, and what to do', () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const e = fsError(err, { op: 'save', what: 'data/ab/ab12cd34…', location: '/var/backups/x' });
    assert.equal(e.code, 'BACKEND_NO_SPACE');
    assert.equal(e.retryable, false);
    assert.equal(e.cause, err);
    assert.equal(e.message, 'cannot write data/ab/ab12cd34… at /var/backups/x: no space left on device; free space or choose another location');

    const io = fsError(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }), { op: 'load', what: 'index/0123abcd…', location: '/mnt/usb' });
    assert.equal(io.code, 'BACKEND_IO');
    assert.equal(io.retryable, true);
    assert.match(io.message, /^cannot read index\/0123abcd… at \/mnt\/usb: I\/O error \(EIO: i\/o error, read\); this may be temporary/);

    const ro = fsError(Object.assign(new Error('EROFS'), { code: 'EROFS' }), { op: 'remove', what: 'locks/1…', location: '/r' });
    assert.equal(ro.message, 'cannot remove locks/1… at /r: read-only file system; remount it read-write or choose another location');
  });
});
