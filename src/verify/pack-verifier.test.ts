import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend, MemBackend, type Backend } from '../backend/index.js';
import { systemClock } from '../lib/index.js';
import type { Id } from '../model/index.js';
import { RepoWriter, Repository, type RepoEnv } from '../repo/index.js';
import { PackVerifier } from './pack-verifier.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-verifier-'));
  dirs.push(d);
  return d;
};

const env: RepoEnv = {
  clock: systemClock,
  owner: { hostname: 'test', username: 'test', pid: process.pid, uid: 0, gid: 0, isProcessAlive: () => true },
};

/** One pack of six 3000-byte blobs: with 5000-byte pieces it is read in three pieces and a tail. */
async function onePack(kind: 'memory' | 'local'): Promise<{ repo: Repository; backend: Backend; pack: Id; blobs: Id[] }> {
  const backend = kind === 'memory' ? new MemBackend() : new LocalBackend(join(tempDir(), 'repo'));
  if (kind === 'local') await backend.create();
  const repo = await Repository.init(backend, new TextEncoder().encode('pw'), env, { kdf: { N: 1024, r: 8, p: 1 } });
  const w = new RepoWriter(repo, { packSize: 1024 * 1024 });
  const blobs: Id[] = [];
  for (let i = 0; i < 6; i++) blobs.push((await w.saveBlob('data', randomBytes(3000))).id);
  await w.flush();
  const packs = new Set(blobs.map((b) => repo.index.lookup(b)!.packId));
  assert.equal(packs.size, 1);
  return { repo, backend, pack: [...packs][0]!, blobs };
}

/**
 * One pack with two blobs larger than a 5000-byte piece: 20000 random bytes (stored raw) and
 * 40000 random letters (stored compressed, about 25000 bytes), between small ones.
 */
async function bigBlobPack(kind: 'memory' | 'local'): Promise<{ repo: Repository; backend: Backend; pack: Id; raw: Id; compressed: Id }> {
  const backend = kind === 'memory' ? new MemBackend() : new LocalBackend(join(tempDir(), 'repo'));
  if (kind === 'local') await backend.create();
  const repo = await Repository.init(backend, new TextEncoder().encode('pw'), env, { kdf: { N: 1024, r: 8, p: 1 } });
  const w = new RepoWriter(repo, { packSize: 1024 * 1024 });
  const letters = Uint8Array.from(randomBytes(40_000), (b) => 97 + (b % 26));
  await w.saveBlob('data', randomBytes(3000));
  const raw = (await w.saveBlob('data', randomBytes(20_000))).id;
  const compressed = (await w.saveBlob('data', letters)).id;
  await w.saveBlob('data', randomBytes(3000));
  await w.flush();
  const pack = repo.index.lookup(raw)!.packId;
  assert.equal(repo.index.lookup(compressed)!.packId, pack);
  assert.equal(repo.index.lookup(raw)!.uncompressedLength, 0, 'random bytes are stored raw');
  const c = repo.index.lookup(compressed)!;
  assert.ok(c.uncompressedLength > 0 && c.length > 5000, 'the letters are stored compressed, still larger than a piece');
  return { repo, backend, pack, raw, compressed };
}

async function damage(backend: Backend, pack: Id, at: (size: number) => number): Promise<void> {
  const bytes = new Uint8Array(await backend.load({ type: 'data', name: pack }));
  bytes[at(bytes.length)]! ^= 1;
  await backend.remove({ type: 'data', name: pack });
  await backend.save({ type: 'data', name: pack }, bytes);
}

// A memory backend's packs are read here and passed on in pieces; a local repository's are
// read by the verifying thread itself (Backend.localFile).
for (const [kind, workers] of [['memory', 0], ['memory', 1], ['local', 0], ['local', 1]] as const) {
  describe(`PackVerifier on a ${kind} backend, ${workers} worker(s)`, () => {
    const verify = async (repo: Repository, pack: Id) => {
      const v = new PackVerifier(repo.key, workers, 5000);
      try {
        const size = (await repo.backend.stat({ type: 'data', name: pack })).size;
        return await v.verify(repo, pack, size, repo.index.byPack().find((p) => p.id === pack)!.blobs);
      } finally {
        await v.close();
      }
    };

    it('passes an intact pack read in pieces only, every blob good', async () => {
      const { repo, backend, pack, blobs } = await onePack(kind);
      const ranges: (number | undefined)[] = [];
      const load = backend.load.bind(backend);
      backend.load = (h, range) => {
        ranges.push(range?.length);
        return load(h, range);
      };
      const r = await verify(repo, pack);
      // Three pieces of two blobs, then the tail; never the whole pack. A local pack is not
      // loaded at all: the verifying thread reads the file.
      assert.equal(ranges.length, kind === 'local' ? 0 : 4);
      assert.ok(ranges.every((n) => n !== undefined && n < 7000), `ranges ${ranges.join(', ')}`);
      assert.ok(r);
      assert.equal(r.verdict.actualId, pack);
      assert.deepEqual(r.verdict.good.map((b) => b.id).sort(), [...blobs].sort());
      assert.deepEqual(r.verdict.corrupt, []);
      assert.equal(r.verdict.headerError, undefined);
    });

    it('names the one damaged blob of a later piece', async () => {
      const { repo, backend, pack, blobs } = await onePack(kind);
      const loc = repo.index.lookup(blobs[4]!)!;
      await damage(backend, pack, () => loc.offset + 100);
      const r = await verify(repo, pack);
      assert.ok(r);
      assert.notEqual(r.verdict.actualId, pack);
      assert.deepEqual(r.verdict.corrupt.map((c) => c.blob.id), [blobs[4]]);
      assert.equal(r.verdict.good.length, 5);
    });

    it('reports a damaged header, read in the tail', async () => {
      const { repo, backend, pack } = await onePack(kind);
      await damage(backend, pack, (size) => size - 10);
      const r = await verify(repo, pack);
      assert.ok(r);
      assert.match(r.verdict.headerError ?? '', /verification failed/);
      assert.equal(r.verdict.good.length, 6);
    });

    it('passes blobs larger than a piece (raw and compressed), and names the one damaged inside either', async () => {
      const intact = await bigBlobPack(kind);
      const ok = await verify(intact.repo, intact.pack);
      assert.ok(ok);
      assert.equal(ok.verdict.actualId, intact.pack);
      assert.equal(ok.verdict.good.length, 4);
      assert.deepEqual(ok.verdict.corrupt, []);
      for (const which of ['raw', 'compressed'] as const) {
        const p = await bigBlobPack(kind);
        const loc = p.repo.index.lookup(p[which])!;
        await damage(p.backend, p.pack, () => loc.offset + loc.length - 4000);
        const r = await verify(p.repo, p.pack);
        assert.ok(r);
        assert.deepEqual(r.verdict.corrupt.map((c) => c.blob.id), [p[which]], which);
        assert.equal(r.verdict.good.length, 3);
      }
    });

    it('catches a big blob whose content is not what its ID says, in a pack whose hash, header and index agree (only the blob check can tell)', async () => {
      for (const which of ['raw', 'compressed'] as const) {
        const backend = kind === 'memory' ? new MemBackend() : new LocalBackend(join(tempDir(), 'repo'));
        if (kind === 'local') await backend.create();
        const repo = await Repository.init(backend, new TextEncoder().encode('pw'), env, { kdf: { N: 1024, r: 8, p: 1 } });
        const w = new RepoWriter(repo, { packSize: 1024 * 1024 });
        const plain = which === 'raw' ? randomBytes(20_000) : Uint8Array.from(randomBytes(40_000), (b) => 97 + (b % 26));
        const wrong = 'ab'.repeat(32);
        await w.saveBlob('data', randomBytes(3000));
        await w.saveBlob('data', plain, wrong); // stored under an ID that is not its hash
        await w.flush();
        const pack = repo.index.lookup(wrong)!.packId;
        const r = await verify(repo, pack);
        assert.ok(r);
        assert.equal(r.verdict.actualId, pack, 'the pack file itself is intact');
        assert.deepEqual(r.verdict.corrupt.map((c) => c.blob.id), [wrong], which);
      }
    });

    it('says a pack that is gone is not there', async () => {
      const { repo, backend, pack } = await onePack(kind);
      const size = (await backend.stat({ type: 'data', name: pack })).size;
      const indexed = repo.index.byPack().find((p) => p.id === pack)!.blobs;
      await backend.remove({ type: 'data', name: pack });
      const v = new PackVerifier(repo.key, workers, 5000);
      try {
        assert.equal(await v.verify(repo, pack, size, indexed), undefined);
      } finally {
        await v.close();
      }
    });
  });
}
