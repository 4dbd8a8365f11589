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
