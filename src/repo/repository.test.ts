import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemBackend, faulty } from '../backend/index.js';
import { open } from '../crypto/index.js';
import { goTimeFromDate } from '../model/index.js';
import { decodeRepoConfig } from './config.js';
import { assertBytes, initTestRepo, PASSWORD, rejectsCode, sha256, TEST_KDF, testEnv } from './repo-fixtures.test-util.js';
import { Repository } from './repository.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const env = testEnv();

describe('Repository: init and open', () => {
  test('init then open with the right password gives the same key and config', async () => {
    const backend = new MemBackend();
    const created = await initTestRepo(backend);
    assert.equal(created.config.version, 2);
    const opened = await Repository.open(backend, PASSWORD, env);
    assert.deepEqual(opened.config, created.config);
    assert.equal(opened.keyId, created.keyId);
    assertBytes(opened.key.encrypt, created.key.encrypt);
    assertBytes(opened.key.macK, created.key.macK);
    assertBytes(opened.key.macR, created.key.macR);
  });

  test('what init writes: one key file named by its hash, and an encrypted raw-JSON config', async () => {
    const backend = new MemBackend();
    const repo = await initTestRepo(backend);
    const keys = [];
    for await (const f of backend.list('key')) keys.push(f.name);
    assert.deepEqual(keys, [repo.keyId]);
    assert.equal(sha256(await backend.load({ type: 'key', name: repo.keyId })), repo.keyId);
    const plain = open(repo.key, await backend.load({ type: 'config', name: '' }));
    assert.equal(plain[0], 0x7b, 'config is raw JSON, never 0x02||zstd');
    assert.deepEqual(decodeRepoConfig(plain), repo.config);
  });

  test('wrong password → REPO_WRONG_PASSWORD', async () => {
    const backend = new MemBackend();
    await initTestRepo(backend);
    await rejectsCode(Repository.open(backend, enc('wrong'), env), 'REPO_WRONG_PASSWORD');
    await rejectsCode(Repository.open(backend, new Uint8Array(0), env), 'REPO_WRONG_PASSWORD');
  });

  test('a repository whose key files are all gone → REPO_WRONG_PASSWORD (no key matches)', async () => {
    const backend = new MemBackend();
    const repo = await initTestRepo(backend);
    await backend.remove({ type: 'key', name: repo.keyId });
    await rejectsCode(Repository.open(backend, PASSWORD, env), 'REPO_WRONG_PASSWORD');
  });

  test('open of an empty backend → REPO_NOT_FOUND', async () => {
    await rejectsCode(Repository.open(new MemBackend(), PASSWORD, env), 'REPO_NOT_FOUND');
  });

  test('init twice → REPO_ALREADY_EXISTS, and the first repository is untouched', async () => {
    const backend = new MemBackend();
    const first = await initTestRepo(backend);
    await rejectsCode(initTestRepo(backend), 'REPO_ALREADY_EXISTS');
    await rejectsCode(Repository.init(backend, enc('other'), env, { kdf: TEST_KDF }), 'REPO_ALREADY_EXISTS');
    const opened = await Repository.open(backend, PASSWORD, env);
    assert.deepEqual(opened.config, first.config);
    assert.equal((await opened.listIds('key')).length, 1);
  });

  test(
    'an interrupted init (key written, no config) can simply be run again',
    {},
    async () => {
    const backend = faulty(new MemBackend(), { faults: [{ op: 'save', type: 'config', nth: 1 }] });
    await rejectsCode(initTestRepo(backend), 'BACKEND_IO');
    await rejectsCode(Repository.open(backend, PASSWORD, env), 'REPO_NOT_FOUND');
    const repo = await initTestRepo(backend);
    const opened = await Repository.open(backend, PASSWORD, env);
    assert.deepEqual(opened.config, repo.config);
  },
  );

  test('a second key opens the same repository; the key hint is tried first', async () => {
    const backend = new MemBackend();
    const repo = await initTestRepo(backend);
    const k2 = await repo.addKey(enc('second'), TEST_KDF);
    const viaSecond = await Repository.open(backend, enc('second'), env);
    assert.equal(viaSecond.keyId, k2);
    assert.deepEqual(viaSecond.config, repo.config);
    assert.equal((await Repository.open(backend, PASSWORD, env, { keyHint: repo.keyId })).keyId, repo.keyId);
    assert.equal((await Repository.open(backend, enc('second'), env, { keyHint: k2 })).keyId, k2);
  });

  test('a damaged config file → REPO_CORRUPT (not a wrong password)', async () => {
    const backend = new MemBackend();
    await initTestRepo(backend);
    const cfg = await backend.load({ type: 'config', name: '' });
    cfg[20] ^= 1;
    await backend.save({ type: 'config', name: '' }, cfg);
    await rejectsCode(Repository.open(backend, PASSWORD, env), 'REPO_CORRUPT');
  });
});

describe('Repository: unpacked files and snapshots', () => {
  test('saveUnpacked names the file by its hash, stores 0x02||zstd in v2, and loadUnpacked reads it back', async () => {
    const backend = new MemBackend();
    const repo = await initTestRepo(backend);
    const json = enc('{"packs":[]}\n');
    const id = await repo.saveUnpacked('index', json);
    const stored = await backend.load({ type: 'index', name: id });
    assert.equal(sha256(stored), id);
    assert.equal(open(repo.key, stored)[0], 0x02);
    assertBytes(await repo.loadUnpacked('index', id), json);
  });

  test('loadUnpacked of a file whose content does not hash to its name → HASH_MISMATCH', async () => {
    const backend = new MemBackend();
    const repo = await initTestRepo(backend);
    const a = await repo.saveUnpacked('snapshot', enc('{"a":1}'));
    const b = await repo.saveUnpacked('snapshot', enc('{"b":2}'));
    // b's bytes stored under a's name: valid encryption, wrong name
    await backend.save({ type: 'snapshot', name: a }, await backend.load({ type: 'snapshot', name: b }));
    await rejectsCode(repo.loadUnpacked('snapshot', a), 'HASH_MISMATCH');
  });

  test('listSnapshots is oldest first, whatever the order of the files', async () => {
    const repo = await initTestRepo();
    const tree = 'a'.repeat(64);
    const times = [5, 1, 9, 3, 7].map((h) => new Date(Date.UTC(2026, 0, 1, h)));
    for (const t of times) await repo.saveSnapshot({ time: goTimeFromDate(t), tree, paths: ['/x'] });
    const listed = await repo.listSnapshots();
    assert.deepEqual(
      listed.map((e) => e.snapshot.time.unixNs),
      [...times].sort((x, y) => x.getTime() - y.getTime()).map((t) => BigInt(t.getTime()) * 1_000_000n),
    );
  });

  test('loadBlob of a blob not in the index → BLOB_NOT_FOUND', async () => {
    const repo = await initTestRepo();
    await rejectsCode(repo.loadBlob('data', 'a'.repeat(64)), 'BLOB_NOT_FOUND');
  });
});
