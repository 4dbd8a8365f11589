// Issue #2, "done when" 2: Lifeboat and restic cut the same chunks and name the same blobs,
// so each deduplicates against the other's repository (files above 512 KiB are chunked).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe as show, expectExit, lastJson, lifeboat, lifeboatInit, repoCtx, requireRestic, restic, resticInit, TempDir } from './support/run.js';
import { RandomStream, writeDataFile } from './support/data.js';

const MiB = 1024 * 1024;

interface LifeboatSummary { dataBlobs: number; dataAdded: number; treeBlobs: number; totalBytesProcessed: number; errors: unknown[] }
interface ResticSummary { message_type: string; data_blobs: number; data_added: number; files_new: number; total_bytes_processed: number }

describe('cross-tool deduplication', { timeout: 180_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-dedup-');
  const data = tmp.join('data');
  // The same content under another path: no parent snapshot can match it, so the second
  // tool really reads and chunks every file instead of reusing the first tool's nodes.
  const copy = tmp.join('copy');
  let totalBytes = 0;

  before(() => {
    requireRestic();
    mkdirSync(data);
    writeDataFile(`${data}/random-20MiB.bin`, 20 * MiB, 'dedup random');
    writeFileSync(`${data}/constant-9MiB.bin`, Buffer.alloc(9 * MiB, 0x61));
    writeDataFile(`${data}/mixed-3MiB.bin`, 3 * MiB, 'dedup mixed', 2);
    writeFileSync(`${data}/exactly-512KiB.bin`, new RandomStream('512').next(512 * 1024));
    writeFileSync(`${data}/just-over-512KiB.bin`, new RandomStream('513').next(512 * 1024 + 1));
    mkdirSync(`${data}/small`);
    for (let i = 0; i < 50; i++) writeFileSync(`${data}/small/s${i}.txt`, `small file ${i}\n`.repeat(i + 1));
    writeFileSync(`${data}/small/empty`, '');
    totalBytes = 20 * MiB + 9 * MiB + 3 * MiB + 512 * 1024 + 512 * 1024 + 1;
    cpSync(data, copy, { recursive: true });
  });
  after(() => tmp.cleanup());

  test('restic adds no data blob to a Lifeboat-made repository holding the same data', () => {
    const ctx = repoCtx(tmp, 'lifeboat-made');
    lifeboatInit(ctx);
    const first = lastJson<LifeboatSummary>(expectExit(lifeboat(ctx, ['backup', '--json', data]), 0));
    assert.ok(first.dataBlobs > 10, `Lifeboat stored only ${first.dataBlobs} data blobs; the data should be chunked`);

    const r = expectExit(restic(ctx, ['backup', '--json', '--host', 'another-host', copy]), 0);
    const s = lastJson<ResticSummary>(r);
    assert.equal(s.message_type, 'summary', show(r));
    assert.ok(s.total_bytes_processed >= totalBytes, `restic read only ${s.total_bytes_processed} bytes:\n${show(r)}`);
    assert.equal(s.data_blobs, 0, `restic added ${s.data_blobs} data blobs (${s.data_added} bytes) to the Lifeboat repository: the chunks or blob IDs differ\n${show(r)}`);
    expectExit(restic(ctx, ['check', '--read-data']), 0);
  });

  test('Lifeboat adds no data blob to a restic-made repository holding the same data', () => {
    const ctx = repoCtx(tmp, 'restic-made');
    resticInit(ctx);
    const first = lastJson<ResticSummary>(expectExit(restic(ctx, ['backup', '--json', data]), 0));
    assert.ok(first.data_blobs > 10, `restic stored only ${first.data_blobs} data blobs`);

    const r = expectExit(lifeboat(ctx, ['backup', '--json', '--host', 'another-host', copy]), 0);
    const s = lastJson<LifeboatSummary>(r);
    assert.deepEqual(s.errors, [], show(r));
    assert.ok(s.totalBytesProcessed >= totalBytes, `Lifeboat read only ${s.totalBytesProcessed} bytes:\n${show(r)}`);
    assert.equal(s.dataBlobs, 0, `Lifeboat added ${s.dataBlobs} data blobs (${s.dataAdded} bytes) to the restic repository: the chunks or blob IDs differ\n${show(r)}`);
    expectExit(restic(ctx, ['check', '--read-data']), 0);
    expectExit(lifeboat(ctx, ['check', '--read-data']), 0);
  });
});
