import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemBackend } from '../backend/index.js';
import { LifeboatError } from '../errors/index.js';
import { decodeTree, goTimeFromDate, type Id } from '../model/index.js';
import { initTestRepo, pseudoRandom, sha256 } from '../repo/repo-fixtures.test-util.js';
import { RepoWriter, type Repository } from '../repo/index.js';
import { bytesFile, type VirtualFile } from '../sources/index.js';
import { Archiver } from './archiver.js';

function request(virtualFiles: readonly VirtualFile[]) {
  return { paths: [], excludes: [], hostname: 'h', username: 'u', uid: 1, gid: 1, tags: [], time: goTimeFromDate(new Date(0)), virtualFiles };
}

async function readFile(repo: Repository, tree: Id, path: string): Promise<Buffer> {
  let id = tree;
  const parts = path.split('/').filter((p) => p);
  for (let i = 0; i < parts.length; i++) {
    const node = decodeTree(await repo.loadBlob('tree', id)).find((n) => Buffer.from(n.name).toString() === parts[i]);
    assert.ok(node, `${path}: ${parts[i]} missing`);
    if (i === parts.length - 1) return Buffer.concat(await Promise.all((node.content ?? []).map((c) => repo.loadBlob('data', c))));
    id = node.subtree!;
  }
  throw new Error('unreachable');
}

test('virtual files: streamed in order into synthetic directories, content intact', async () => {
  const repo = await initTestRepo(new MemBackend());
  const big = pseudoRandom('dump', 5 * 1024 * 1024 + 17);
  const order: string[] = [];
  const dump: VirtualFile = {
    path: '/databases/postgres/shop.pgdump',
    async *open() {
      order.push('dump');
      for (let i = 0; i < big.length; i += 65536) yield big.subarray(i, i + 65536);
    },
  };
  const meta: VirtualFile = { path: '/databases/postgres/shop.json', mode: 0o644, async *open() { order.push('json'); yield new TextEncoder().encode('{}'); } };
  const writer = new RepoWriter(repo, {});
  const result = await new Archiver(repo, writer, request([dump, meta, bytesFile('/secrets/values/K', new TextEncoder().encode('v'))])).run();
  await writer.flush();
  assert.deepEqual(order, ['dump', 'json']);
  assert.equal(sha256(await readFile(repo, result.tree, '/databases/postgres/shop.pgdump')), sha256(big));
  assert.equal((await readFile(repo, result.tree, '/secrets/values/K')).toString(), 'v');
  assert.equal(result.counts.filesNew, 3);
  const top = decodeTree(await repo.loadBlob('tree', result.tree)).map((n) => Buffer.from(n.name).toString());
  assert.deepEqual(top, ['databases', 'secrets']);
  const modes = decodeTree(await repo.loadBlob('tree', result.tree)).map((n) => n.mode % 0o1000);
  assert.deepEqual(modes, [0o755, 0o700], 'the dump metadata is readable (0644), the secrets are not');
});

test('virtual files: a stream that throws fails the archive; overlapping paths are refused', async () => {
  const repo = await initTestRepo(new MemBackend());
  const failing: VirtualFile = {
    path: '/databases/mysql/x.sql',
    async *open() {
      yield new Uint8Array(10);
      throw new LifeboatError('SOURCE_DUMP_FAILED', 'mysqldump died');
    },
  };
  await assert.rejects(new Archiver(repo, new RepoWriter(repo, {}), request([failing])).run(), (e) => e instanceof LifeboatError && e.code === 'SOURCE_DUMP_FAILED');
  const a = bytesFile('/secrets/x', new Uint8Array(1));
  await assert.rejects(new Archiver(repo, new RepoWriter(repo, {}), request([a, bytesFile('/secrets/x/y', new Uint8Array(1))])).run(), /overlap/);
  await assert.rejects(new Archiver(repo, new RepoWriter(repo, {}), { ...request([bytesFile('/tmp/inside', new Uint8Array(1))]), paths: ['/tmp'] }).run(), /overlap/);
});
