import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalBackend, MemBackend, type Backend } from '../backend/index.js';
import { systemClock } from '../lib/index.js';
import { BlobWorkerPool, RepoWriter, Repository, type RepoEnv } from '../repo/index.js';
import { writeContents, type FileJob } from './content-writer.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-content-writer-'));
  dirs.push(d);
  return d;
};

const env: RepoEnv = {
  clock: systemClock,
  owner: { hostname: 'test', username: 'test', pid: process.pid, uid: 0, gid: 0, isProcessAlive: () => true },
};

/**
 * Four files over two packs: `one` (a single blob), `many` (five blobs, across both packs),
 * `shares` (a blob of `many` and one of its own) and `empty`.
 */
async function fixture(kind: 'memory' | 'local') {
  const dir = tempDir();
  const backend: Backend = kind === 'memory' ? new MemBackend() : new LocalBackend(join(dir, 'repo'));
  if (kind === 'local') await backend.create();
  const repo = await Repository.init(backend, new TextEncoder().encode('pw'), env, { kdf: { N: 1024, r: 8, p: 1 } });
  const w = new RepoWriter(repo, { packSize: 40_000, compression: 'off' });
  const chunks = Array.from({ length: 7 }, (_, i) => randomBytes(9_000 + i));
  const ids: string[] = [];
  for (const c of chunks) ids.push((await w.saveBlob('data', c)).id);
  await w.flush();
  const files = {
    one: [6],
    many: [0, 1, 2, 3, 4],
    shares: [2, 5],
    empty: [] as number[],
  };
  const jobs: FileJob[] = Object.entries(files).map(([name, blobs]) => ({
    dest: Buffer.from(join(dir, `${name}.bin`)),
    size: blobs.reduce((n, i) => n + chunks[i]!.length, 0),
    content: Buffer.concat(blobs.map((i) => Buffer.from(ids[i]!, 'hex'))),
  }));
  const expected = (name: keyof typeof files) => Buffer.concat(files[name].map((i) => chunks[i]!));
  const packOf = (blob: number) => repo.index.lookup(ids[blob]!)!;
  return { dir, repo, backend, jobs, files, expected, packOf };
}

async function restore(repo: Repository, jobs: readonly FileJob[], workers: number) {
  const pool = workers > 0 ? new BlobWorkerPool(repo.key, workers + 1) : undefined;
  const done = new Map<string, string | undefined>();
  await writeContents(repo, jobs, {
    ...(pool ? { pool } : {}),
    onFileDone: (job, e) => done.set(job.dest.toString().replace(/^.*\//, ''), e === undefined ? undefined : String((e as Error).message)),
  });
  await pool?.close();
  return done;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// A memory backend's spans are loaded here and passed on; a local repository's are read by
// the thread that opens them (Backend.localFile).
for (const [kind, workers] of [['memory', 0], ['memory', 1], ['local', 0], ['local', 1]] as const) {
  describe(`writeContents on a ${kind} backend, ${workers} worker(s)`, () => {
    it('writes every file exactly, blobs shared between files included', async () => {
      const f = await fixture(kind);
      const done = await restore(f.repo, f.jobs, workers);
      assert.deepEqual([...done.entries()].sort(), [['empty.bin', undefined], ['many.bin', undefined], ['one.bin', undefined], ['shares.bin', undefined]]);
      for (const name of ['one', 'many', 'shares', 'empty'] as const) assert.equal(sha(readFileSync(join(f.dir, `${name}.bin`))), sha(f.expected(name)), name);
    });

    it('fails only the files that need a damaged blob', async () => {
      const f = await fixture(kind);
      const loc = f.packOf(5); // only `shares` has it
      const h = { type: 'data' as const, name: loc.packId };
      const bytes = new Uint8Array(await f.backend.load(h));
      bytes[loc.offset + 50]! ^= 1;
      await f.backend.remove(h);
      await f.backend.save(h, bytes);
      const done = await restore(f.repo, f.jobs, workers);
      assert.match(done.get('shares.bin') ?? '', /damaged/);
      for (const name of ['one', 'many', 'empty'] as const) {
        assert.equal(done.get(`${name}.bin`), undefined, name);
        assert.equal(sha(readFileSync(join(f.dir, `${name}.bin`))), sha(f.expected(name)), name);
      }
    });

    it('fails the files of a pack that is gone or cut short, and writes the rest', async () => {
      const f = await fixture(kind);
      const gone = f.packOf(6).packId;
      const short = f.packOf(0).packId;
      assert.notEqual(gone, short, 'the fixture puts blobs 0 and 6 in different packs');
      await f.backend.remove({ type: 'data', name: gone });
      const bytes = await f.backend.load({ type: 'data', name: short });
      await f.backend.remove({ type: 'data', name: short });
      await f.backend.save({ type: 'data', name: short }, bytes.subarray(0, f.packOf(0).offset + 10));
      const done = await restore(f.repo, f.jobs, workers);
      const lost = new Set([gone, short]);
      for (const name of ['one', 'many', 'shares'] as const) {
        if (f.files[name].some((i) => lost.has(f.packOf(i).packId))) assert.ok(done.get(`${name}.bin`), `${name} needs a lost pack and must fail`);
        else {
          assert.equal(done.get(`${name}.bin`), undefined, name);
          assert.equal(sha(readFileSync(join(f.dir, `${name}.bin`))), sha(f.expected(name)), name);
        }
      }
      assert.equal(done.get('empty.bin'), undefined);
    });
  });
}

it('a blob missing from the index fails its file without stopping the others', async () => {
  const f = await fixture('local');
  const bogus: FileJob = { dest: Buffer.from(join(f.dir, 'bogus.bin')), size: 3, content: Buffer.alloc(32, 7) };
  const done = await restore(f.repo, [...f.jobs, bogus], 1);
  assert.match(done.get('bogus.bin') ?? '', /not in the index/);
  assert.equal(done.get('one.bin'), undefined);
});
