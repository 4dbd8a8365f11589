import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError, type ErrorCode } from '../errors/index.js';
import { FILE_TYPES, hashId, type FileType, type Handle } from '../model/index.js';
import type { Backend, FileInfo } from './backend.js';

/** What a contract factory hands over: a backend on a fresh, empty location, and how to remove it. */
export interface BackendFixture {
  readonly backend: Backend;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

function bytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

/** Content-addressed like a real repository: the name is the SHA-256 of the bytes. */
function handleFor(type: FileType, data: Uint8Array): Handle {
  return { type, name: type === 'config' ? '' : hashId(data) };
}

/** Compares without letting a 20 MiB diff into the test output. */
function assertBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: expected a Uint8Array`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected), `${what}: bytes differ`);
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isLifeboatError(e), `${what}: expected LifeboatError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `${what}: got "${e.message}"`);
    return true;
  });
}

async function collect(it: AsyncIterable<FileInfo>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const info of it) out.push(info);
  return out;
}

/** Listing as a name → size map, failing if any name comes twice. */
async function listMap(b: Backend, type: FileType): Promise<Map<string, number>> {
  const infos = await collect(b.list(type));
  const map = new Map(infos.map((i) => [i.name, i.size]));
  assert.equal(map.size, infos.length, `list(${type}) yielded a name twice: ${infos.map((i) => i.name).join(', ')}`);
  return map;
}

const BAD_HANDLES: readonly Handle[] = [
  { type: 'data', name: 'abc' },
  { type: 'data', name: 'A'.repeat(64) },
  { type: 'snapshot', name: '' },
  { type: 'index', name: `../${'a'.repeat(61)}` },
  { type: 'key', name: `${'a'.repeat(64)}/x` },
  { type: 'lock', name: '../../../../etc/passwd' },
  { type: 'config', name: 'config' },
  { type: 'bogus' as FileType, name: 'a'.repeat(64) },
];

/** The contract, one named case per promise of the `Backend` TSDoc; each gets a fresh backend. */
const CASES: readonly (readonly [string, (b: Backend) => Promise<void>])[] = [
  ['save then load returns the same bytes, for every type', async (b) => {
    for (const type of FILE_TYPES) {
      const data = bytes(1 + ((type.length * 997) % 5000));
      const h = handleFor(type, data);
      await b.save(h, data);
      assertBytes(await b.load(h), data, `load ${type}`);
      assert.deepEqual(await b.stat(h), { name: h.name, size: data.length }, `stat ${type}`);
    }
  }],

  ['an empty file round-trips', async (b) => {
    const h = handleFor('data', new Uint8Array(0));
    await b.save(h, new Uint8Array(0));
    assert.equal((await b.load(h)).length, 0);
    assert.equal((await b.stat(h)).size, 0);
    assert.deepEqual([...(await listMap(b, 'data'))], [[h.name, 0]]);
  }],

  ['save keeps no reference to the caller buffer; load returns bytes the caller owns', async (b) => {
    const data = bytes(1000);
    const copy = data.slice();
    const h = handleFor('index', data);
    await b.save(h, data);
    data.fill(0);
    const loaded = await b.load(h);
    assertBytes(loaded, copy, 'after changing the saved buffer');
    loaded.fill(0);
    assertBytes(await b.load(h), copy, 'after changing a loaded buffer');
  }],

  ['load with a range returns exactly that range', async (b) => {
    const data = bytes(10_000);
    const h = handleFor('data', data);
    await b.save(h, data);
    const n = data.length;
    const cases: [string, number, number][] = [
      ['start', 0, 100],
      ['first byte only (some servers ignore the range bytes=0-0)', 0, 1],
      ['middle', 4000, 1234],
      ['end', n - 100, 100],
      ['whole file', 0, n],
      ['zero length at start', 0, 0],
      ['zero length in the middle', 5000, 0],
      ['zero length at the end', n, 0],
      ['one byte at the end', n - 1, 1],
    ];
    for (const [what, offset, length] of cases) {
      assertBytes(await b.load(h, { offset, length }), data.subarray(offset, offset + length), what);
    }
  }],

  ['load with any range inside the file (property)', async (b) => {
    const data = bytes(4096 + 17);
    const h = handleFor('data', data);
    await b.save(h, data);
    const range = fc.integer({ min: 0, max: data.length }).chain((offset) => fc.tuple(fc.constant(offset), fc.integer({ min: 0, max: data.length - offset })));
    await fc.assert(
      fc.asyncProperty(range, async ([offset, length]) => {
        assertBytes(await b.load(h, { offset, length }), data.subarray(offset, offset + length), `range ${offset}+${length}`);
      }),
      { numRuns: 40 },
    );
  }],

  ['a range past the end fails with INVALID_DATA; a malformed one with INVALID_ARGUMENT', async (b) => {
    const data = bytes(1000);
    const h = handleFor('snapshot', data);
    await b.save(h, data);
    await rejectsWith(b.load(h, { offset: 990, length: 11 }), 'INVALID_DATA', 'range ending one byte past the end');
    await rejectsWith(b.load(h, { offset: 1000, length: 1 }), 'INVALID_DATA', 'range starting at the end');
    await rejectsWith(b.load(h, { offset: 1001, length: 0 }), 'INVALID_DATA', 'empty range after the end');
    await rejectsWith(b.load(h, { offset: 5000, length: 10 }), 'INVALID_DATA', 'range far past the end');
    await rejectsWith(b.load(h, { offset: -1, length: 10 }), 'INVALID_ARGUMENT', 'negative offset');
    await rejectsWith(b.load(h, { offset: 0, length: -1 }), 'INVALID_ARGUMENT', 'negative length');
    await rejectsWith(b.load(h, { offset: 0.5, length: 1 }), 'INVALID_ARGUMENT', 'fractional offset');
  }],

  ['saving an existing name overwrites it', async (b) => {
    const h: Handle = { type: 'lock', name: hashId(bytes(8)) };
    await b.save(h, bytes(500));
    const second = bytes(300);
    await b.save(h, second);
    assertBytes(await b.load(h), second, 'load after overwrite');
    assert.equal((await b.stat(h)).size, 300);
    assert.deepEqual([...(await listMap(b, 'lock'))], [[h.name, 300]]);
  }],

  ['a missing file fails with BACKEND_NOT_FOUND in load, stat and remove', async (b) => {
    for (const type of FILE_TYPES) {
      const h = handleFor(type, bytes(16));
      await rejectsWith(b.load(h), 'BACKEND_NOT_FOUND', `load ${type}`);
      await rejectsWith(b.load(h, { offset: 0, length: 1 }), 'BACKEND_NOT_FOUND', `load range ${type}`);
      await rejectsWith(b.stat(h), 'BACKEND_NOT_FOUND', `stat ${type}`);
      await rejectsWith(b.remove(h), 'BACKEND_NOT_FOUND', `remove ${type}`);
    }
  }],

  ['list yields each file of the type once, with its size, and nothing else', async (b) => {
    const expected = new Map<FileType, Map<string, number>>();
    for (const type of FILE_TYPES) {
      const files = new Map<string, number>();
      for (let i = 0; i < (type === 'config' ? 1 : 3); i++) {
        const data = bytes(10 + i * 111 + type.length);
        const h = handleFor(type, data);
        await b.save(h, data);
        files.set(h.name, data.length);
      }
      expected.set(type, files);
    }
    for (const type of FILE_TYPES) {
      assert.deepEqual(await listMap(b, type), expected.get(type), `list(${type})`);
    }
  }],

  ['list of an empty type yields nothing', async (b) => {
    for (const type of FILE_TYPES) assert.deepEqual(await collect(b.list(type)), [], `list(${type})`);
    const data = bytes(10);
    await b.save(handleFor('snapshot', data), data);
    for (const type of FILE_TYPES.filter((t) => t !== 'snapshot')) assert.deepEqual(await collect(b.list(type)), [], `list(${type})`);
  }],

  ['a listing can be abandoned early', async (b) => {
    for (let i = 0; i < 5; i++) {
      const data = bytes(20);
      await b.save(handleFor('index', data), data);
    }
    for await (const info of b.list('index')) {
      assert.equal(info.size, 20);
      break;
    }
    assert.equal((await listMap(b, 'index')).size, 5);
  }],

  ['remove deletes exactly one file', async (b) => {
    const files = [bytes(10), bytes(20), bytes(30)].map((d) => ({ h: handleFor('snapshot', d), d }));
    for (const { h, d } of files) await b.save(h, d);
    const [gone, ...kept] = files;
    await b.remove(gone!.h);
    assert.deepEqual(await listMap(b, 'snapshot'), new Map(kept.map(({ h, d }) => [h.name, d.length])));
    await rejectsWith(b.load(gone!.h), 'BACKEND_NOT_FOUND', 'load after remove');
    await rejectsWith(b.remove(gone!.h), 'BACKEND_NOT_FOUND', 'second remove');
    for (const { h, d } of kept) assertBytes(await b.load(h), d, 'a file that was not removed');

    const config = bytes(50);
    await b.save({ type: 'config', name: '' }, config);
    await b.remove({ type: 'config', name: '' });
    assert.deepEqual(await collect(b.list('config')), []);
  }],

  ['50 concurrent saves are all visible; concurrent loads and removes work', async (b) => {
    const files = Array.from({ length: 50 }, (_, i) => bytes(1 + ((i * 7919) % 65_536))).map((d) => ({ h: handleFor('data', d), d }));
    await Promise.all(files.map(({ h, d }) => b.save(h, d)));
    assert.deepEqual(await listMap(b, 'data'), new Map(files.map(({ h, d }) => [h.name, d.length])));
    const loaded = await Promise.all(files.map(({ h }) => b.load(h)));
    loaded.forEach((data, i) => assertBytes(data, files[i]!.d, `file ${i}`));
    await Promise.all(files.map(({ h }) => b.remove(h)));
    assert.deepEqual(await collect(b.list('data')), []);
  }],

  ['a 20 MiB file round-trips, whole and by range', async (b) => {
    const data = bytes(20 * MiB);
    const h = handleFor('data', data);
    await b.save(h, data);
    assert.equal((await b.stat(h)).size, data.length);
    assertBytes(await b.load(h), data, 'whole file');
    const offset = data.length - 4096 - 3;
    assertBytes(await b.load(h, { offset, length: 4096 }), data.subarray(offset, offset + 4096), 'range near the end');
  }],

  ['invalid names and types fail with INVALID_ARGUMENT and touch nothing', async (b) => {
    for (const h of BAD_HANDLES) {
      const what = `${h.type} ${JSON.stringify(h.name)}`;
      await rejectsWith(b.save(h, bytes(10)), 'INVALID_ARGUMENT', `save ${what}`);
      await rejectsWith(b.load(h), 'INVALID_ARGUMENT', `load ${what}`);
      await rejectsWith(b.load(h, { offset: 0, length: 1 }), 'INVALID_ARGUMENT', `load range ${what}`);
      await rejectsWith(b.stat(h), 'INVALID_ARGUMENT', `stat ${what}`);
      await rejectsWith(b.remove(h), 'INVALID_ARGUMENT', `remove ${what}`);
    }
    await rejectsWith(collect(b.list('bogus' as FileType)), 'INVALID_ARGUMENT', 'list of an unknown type');
    for (const type of FILE_TYPES) assert.deepEqual(await collect(b.list(type)), [], `list(${type})`);
  }],

  ['create is idempotent until a config exists, then fails with BACKEND_ALREADY_EXISTS', async (b) => {
    await b.create();
    const config = bytes(200);
    await b.save({ type: 'config', name: '' }, config);
    await rejectsWith(b.create(), 'BACKEND_ALREADY_EXISTS', 'create over a repository');
    assertBytes(await b.load({ type: 'config', name: '' }), config, 'config after the refused create');
  }],

  ['close is idempotent', async (b) => {
    await b.close();
    await b.close();
  }],

  ['saveFile (where offered) stores a local file like save, leaves the file in place, and can be repeated', async (b) => {
    if (!b.saveFile) return;
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-savefile-'));
    try {
      const data = bytes(70_000);
      const src = join(dir, 'pack');
      writeFileSync(src, data);
      const h = handleFor('data', data);
      await b.saveFile(h, src);
      assertBytes(await b.load(h), data, 'stored bytes');
      assertBytes(readFileSync(src), data, 'the source is left as it was');
      await b.saveFile(h, src); // a retry after a lost answer
      assertBytes(await b.load(h), data, 'after saving twice');
      assert.deepEqual((await collect(b.list('data'))).map((f) => f.name), [h.name], 'one file, no temp file listed');
      await rejectsWith(b.saveFile(h, join(dir, 'missing')), 'BACKEND_NOT_FOUND', 'a missing source');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }],
  ['load hands over bytes of the caller\'s own: overwriting them changes nothing stored', async (b) => {
    const data = bytes(5_000);
    const h = handleFor('data', data);
    await b.save(h, data);
    for (const range of [undefined, { offset: 100, length: 1_000 }]) {
      const got = await b.load(h, range);
      got.fill(0xee);
      assertBytes(await b.load(h), data, `after overwriting what load${range ? ' of a range' : ''} returned`);
    }
  }],
  ['localFile (where offered) names a file holding exactly what load returns, for every type', async (b) => {
    if (!b.localFile) return;
    for (const type of ['data', 'index', 'snapshot', 'key', 'lock'] as const) {
      const data = bytes(3_000 + type.length);
      const h = handleFor(type, data);
      await b.save(h, data);
      assertBytes(readFileSync(b.localFile(h)), data, `${type} file read directly`);
      await b.remove(h);
      assert.throws(() => readFileSync(b.localFile!(h)), /ENOENT/, 'a removed file is gone from that path too');
    }
  }],
];

/**
 * Registers node:test tests for everything the `Backend` TSDoc promises. Each backend's test
 * file calls it once; it uses nothing but the Backend interface. `create` must give a backend
 * on a fresh, empty location each time (whether its `create()` was already called does not
 * matter: the suite calls it); `cleanup` removes that location.
 */
export function runBackendContract(name: string, create: () => Promise<BackendFixture>): void {
  describe(`Backend contract: ${name}`, () => {
    for (const [title, fn] of CASES) {
      it(title, async () => {
        const fixture = await create();
        try {
          await fixture.backend.create();
          await fn(fixture.backend);
        } finally {
          await fixture.backend.close();
          await fixture.cleanup();
        }
      });
    }
  });
}
