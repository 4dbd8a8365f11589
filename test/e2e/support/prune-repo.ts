// Repositories with several snapshots of changing data, for the prune tests.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomStream, writeDataFile } from './data.js';
import { expectExit, lifeboat, restic, type RepoCtx, type TempDir } from './run.js';

const MiB = 1024 * 1024;
export const FILES = 4;

/** Bytes of every file under a directory. */
export function dirSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirSize(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

export function packCount(repo: string): number {
  let n = 0;
  for (const d of readdirSync(join(repo, 'data'))) n += readdirSync(join(repo, 'data', d)).length;
  return n;
}

/**
 * Makes `count` snapshots of `src` with `tool`, replacing one file each time and the tail of
 * the file replaced the time before, so old packs end up fully or partly unused after a
 * forget, however a tool groups blobs into packs. Returns the snapshot IDs, oldest first,
 * and keeps a copy of each snapshot's files under `copies/<id>`.
 */
export function makeSnapshots(tmp: TempDir, ctx: RepoCtx, tool: 'restic' | 'lifeboat', count: number, tag: string): string[] {
  const src = tmp.join(`src-${tag}`);
  mkdirSync(src, { recursive: true });
  for (let f = 0; f < FILES; f++) writeDataFile(join(src, `f${f}.bin`), 3 * MiB, `${tag} ${f} 0`, 3);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      writeDataFile(join(src, `f${i % FILES}.bin`), 3 * MiB, `${tag} ${i % FILES} ${i}`, 3);
      // The file replaced last time keeps its first 2.5 MiB (whole chunks of it stay the same)
      // and gets a new tail: the blobs it was written with are then partly still needed, so
      // the packs holding them become partly used once that earlier snapshot goes.
      if (i > 1) {
        const prev = join(src, `f${(i - 1) % FILES}.bin`);
        writeFileSync(prev, Buffer.concat([readFileSync(prev).subarray(0, 2.5 * MiB), new RandomStream(`${tag} tail ${i}`).next(0.5 * MiB)]));
      }
    }
    const r =
      tool === 'restic'
        ? expectExit(restic(ctx, ['backup', '--json', '--pack-size', '4', '--host', 'prune-test', src]), 0)
        : expectExit(lifeboat(ctx, ['backup', '--json', '--pack-size', '4', '--host', 'prune-test', src]), 0);
    const lines = r.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as { snapshot_id?: string; snapshotId?: string };
    const short = summary.snapshot_id ?? summary.snapshotId;
    assert.ok(typeof short === 'string' && short.length >= 8, `no snapshot id in ${lines[lines.length - 1]}`);
    // restic 0.14 reports the short ID: find the full one.
    const all = JSON.parse(expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0).stdout) as { id: string }[];
    const id = all.find((s) => s.id.startsWith(short))!.id;
    ids.push(id);
    cpSync(src, tmp.join('copies', id), { recursive: true });
  }
  return ids;
}

/** restic restores the snapshot; every file must equal the copy made at backup time. */
export function assertRestoresIdentical(tmp: TempDir, ctx: RepoCtx, id: string, tag: string): void {
  const target = tmp.join(`restore-${id.slice(0, 8)}-${Date.now()}`);
  expectExit(restic(ctx, ['restore', id, '--target', target]), 0);
  const restoredSrc = join(target, tmp.join(`src-${tag}`));
  const expected = tmp.join('copies', id);
  for (const name of readdirSync(expected)) {
    assert.ok(readFileSync(join(restoredSrc, name)).equals(readFileSync(join(expected, name))), `snapshot ${id.slice(0, 8)}: ${name} differs after restore`);
  }
  assert.deepEqual(readdirSync(restoredSrc).sort(), readdirSync(expected).sort());
  rmSync(target, { recursive: true, force: true });
}
