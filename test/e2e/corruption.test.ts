// Issue #2, "done when" 4: one flipped byte inside a data pack goes unnoticed by a plain
// check (which trusts the index, like restic's) and is found by --read-data, which names the
// pack, the damaged blob, and the snapshots and files that depend on it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { describe as show, expectExit, lastJson, lifeboat, lifeboatInit, repoCtx, requireRestic, restic, TempDir, type RepoCtx } from './support/run.js';
import { RandomStream } from './support/data.js';

interface IndexJson { packs: { id: string; blobs: { id: string; type: string; offset: number; length: number }[] }[] }
interface CheckJson {
  ok: boolean;
  errors: { kind: string; message: string; pack?: string; blobs?: string[]; affected?: { snapshot: string; paths: string[] }[] }[];
}

describe('a corrupted data pack', { timeout: 120_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-corrupt-');
  const src = tmp.join('src');
  let ctx: RepoCtx;
  let victimBlob = '';
  let pack = '';
  const snapshots: string[] = [];

  before(() => {
    requireRestic();
    ctx = repoCtx(tmp, 'repo');
    mkdirSync(src);
    mkdirSync(`${src}/dir`);
    // Below the 512 KiB minimum chunk size: one blob, whose ID is the SHA-256 of the file.
    const content = new RandomStream('victim').next(200 * 1024);
    writeFileSync(`${src}/dir/victim.bin`, content);
    victimBlob = createHash('sha256').update(content).digest('hex');
    writeFileSync(`${src}/bystander.txt`, 'an innocent small file in the same pack\n');
    writeFileSync(`${src}/other.bin`, new RandomStream('other').next(100 * 1024));
    lifeboatInit(ctx);
    snapshots.push(lastJson<{ snapshotId: string }>(expectExit(lifeboat(ctx, ['backup', '--json', src]), 0)).snapshotId);
    writeFileSync(`${src}/later.txt`, 'added for the second snapshot\n');
    snapshots.push(lastJson<{ snapshotId: string }>(expectExit(lifeboat(ctx, ['backup', '--json', src]), 0)).snapshotId);

    // Find the victim's pack and offset through restic's view of the index.
    const list = expectExit(restic(ctx, ['list', 'index', '--no-lock']), 0).stdout.trim().split('\n');
    let found: { offset: number; length: number } | undefined;
    for (const id of list) {
      const idx = JSON.parse(expectExit(restic(ctx, ['cat', 'index', id, '--no-lock']), 0).stdout) as IndexJson;
      for (const p of idx.packs) {
        const b = p.blobs.find((x) => x.id === victimBlob && x.type === 'data');
        if (b) {
          pack = p.id;
          found = b;
        }
      }
    }
    assert.ok(found, `blob ${victimBlob} of dir/victim.bin is in no index`);
    const path = `${ctx.repo}/data/${pack.slice(0, 2)}/${pack}`;
    const fd = openSync(path, 'r+');
    const pos = found.offset + Math.floor(found.length / 2);
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, pos);
    one[0] = one[0]! ^ 0x40;
    writeSync(fd, one, 0, 1, pos);
    closeSync(fd);
  });
  after(() => tmp.cleanup());

  test('plain lifeboat check passes (it trusts the index, like restic)', () => {
    const r = expectExit(lifeboat(ctx, ['check']), 0);
    assert.match(r.stdout, /no errors were found/, show(r));
  });

  test('lifeboat check --read-data fails and names the pack, the blob, the snapshots and the file', () => {
    const r = lifeboat(ctx, ['check', '--read-data']);
    expectExit(r, 1);
    const text = r.stdout + r.stderr;
    assert.ok(text.includes(pack.slice(0, 8)), `the pack ${pack.slice(0, 8)} is not named:\n${show(r)}`);
    assert.ok(text.includes(victimBlob.slice(0, 8)), `the damaged blob ${victimBlob.slice(0, 8)} is not named:\n${show(r)}`);
    for (const s of snapshots) assert.ok(text.includes(s.slice(0, 8)), `snapshot ${s.slice(0, 8)} is not named:\n${show(r)}`);
    assert.ok(text.includes(`${src}/dir/victim.bin`), `the file path is not named:\n${show(r)}`);
    assert.ok(!text.includes('bystander.txt') && !text.includes('other.bin'), `undamaged files are reported as affected:\n${show(r)}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, show(r));

    const j = lifeboat(ctx, ['check', '--read-data', '--json']);
    expectExit(j, 1);
    const report = lastJson<CheckJson>(j);
    assert.equal(report.ok, false);
    const withBlob = report.errors.filter((e) => (e.blobs ?? []).includes(victimBlob));
    assert.ok(withBlob.length > 0, `no error lists the blob ${victimBlob}:\n${show(j)}`);
    assert.ok(report.errors.some((e) => e.pack === pack), `no error names the pack ${pack}:\n${show(j)}`);
    for (const e of withBlob) for (const b of e.blobs ?? []) assert.equal(b, victimBlob, `an intact blob is reported as damaged:\n${show(j)}`);
    const affected = withBlob.flatMap((e) => e.affected ?? []);
    for (const s of snapshots) {
      const a = affected.find((x) => x.snapshot === s);
      assert.ok(a, `snapshot ${s} missing from "affected":\n${show(j)}`);
      assert.deepEqual(a.paths, [`${src}/dir/victim.bin`], show(j));
    }
  });

  test('restic check --read-data fails too (sanity)', () => {
    const r = restic(ctx, ['check', '--read-data']);
    assert.notEqual(r.status, 0, `restic did not notice the flipped byte:\n${show(r)}`);
    assert.match(r.stdout + r.stderr, new RegExp(pack.slice(0, 8)), show(r));
  });
});
