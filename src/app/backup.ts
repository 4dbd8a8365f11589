import { Archiver, type BackupCounts, type BackupReporter, type SourceError } from '../archiver/index.js';
import type { ScanAhead } from '../lib/index.js';
import { LifeboatError } from '../errors/index.js';
import { goTimeFromDate, type Id, type Snapshot } from '../model/index.js';
import { BlobWorkerPool, RepoWriter, type CompressionMode, type Repository } from '../repo/index.js';
import { availableParallelism, tmpdir } from 'node:os';
import type { Environment } from './environment.js';
import { backupPaths, startScans } from './start-scans.js';
import { findParent, findSnapshot } from './snapshot-select.js';

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly excludes?: readonly string[];
  readonly tags?: readonly string[];
  readonly host?: string;
  /** A snapshot ID, or undefined for restic's automatic choice. */
  readonly parent?: string;
  readonly stdin?: { readonly filename: string; readonly source: AsyncIterable<Uint8Array> };
  readonly compression?: CompressionMode;
  readonly packSize?: number;
  /** Worker threads for compression and encryption (default: one per core). */
  readonly workers?: number;
  readonly reporter?: BackupReporter;
}

export interface BackupSummary {
  readonly snapshotId: Id;
  readonly parent?: Id;
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnmodified: number;
  readonly dirsNew: number;
  readonly dirsChanged: number;
  readonly dirsUnmodified: number;
  readonly dataBlobs: number;
  readonly treeBlobs: number;
  readonly dataAdded: number;
  readonly dataStored: number;
  readonly totalFilesProcessed: number;
  readonly totalBytesProcessed: number;
  readonly durationMs: number;
  readonly errors: readonly SourceError[];
}

/**
 * One backup run: archive under a shared lock, flush packs and index, then save the
 * snapshot last, so an interrupted run leaves only unreferenced packs behind. `scans` (from
 * startScans with the same options) is closed when the run ends, like one made here.
 */
export async function runBackup(repo: Repository, opts: BackupOptions, env: Environment, scans?: ScanAhead): Promise<BackupSummary> {
  const started = repo.env.clock.now();
  const host = opts.host ?? env.hostname;
  const paths = backupPaths(opts, env);
  if (paths.length === 0) throw new LifeboatError('INVALID_ARGUMENT', 'nothing to back up; name at least one path (or use --stdin)');
  if (opts.stdin && /[/\0]/.test(opts.stdin.filename)) throw new LifeboatError('INVALID_ARGUMENT', '--stdin-filename must be a plain file name');
  // The directories' lstat calls run on a thread of their own, ahead of the walk: from before
  // the repository was opened when the caller started them (startScans), else from now on.
  const scanAhead = scans ?? startScans(opts, env);
  try {
    return await archiveLocked(repo, opts, env, { started, host, paths, scanAhead });
  } finally {
    scanAhead?.close();
  }
}

interface RunContext {
  readonly started: Date;
  readonly host: string;
  readonly paths: readonly string[];
  readonly scanAhead: ScanAhead | undefined;
}

function archiveLocked(repo: Repository, opts: BackupOptions, env: Environment, { started, host, paths, scanAhead }: RunContext): Promise<BackupSummary> {
  // The walk starts while the lock settles, on a view whose writes wait for the lock: an
  // unchanged re-backup is mostly that walk, and the settle wait is 200 ms.
  return repo.withLockEarly(false, async (view, signal) => {
    const [, parent] = await Promise.all([view.loadIndex(), opts.parent ? findSnapshot(view, opts.parent) : findParent(view, host, paths)]);
    const pool = new BlobWorkerPool(view.key, opts.workers ?? availableParallelism());
    const writer = new RepoWriter(view, { pool, spillDir: tmpdir(), compression: opts.compression ?? 'auto', ...(opts.packSize ? { packSize: opts.packSize } : {}) });
    try {
      const archiver = new Archiver(view, writer, {
        paths,
        excludes: opts.excludes ?? [],
        hostname: host,
        username: env.username,
        uid: env.uid,
        gid: env.gid,
        tags: opts.tags ?? [],
        time: goTimeFromDate(started),
        parent,
        signal,
        ...(scanAhead ? { scanAhead } : {}),
        ...(opts.stdin ? { stdin: opts.stdin } : {}),
      }, opts.reporter);
      const result = await archiver.run();
      await writer.finishPacks();
      // The workers are done: their memory goes before the index is encoded.
      await pool.close();
      await writer.flush();
      const snapshot: Snapshot = {
        time: goTimeFromDate(started),
        ...(parent ? { parent: parent.id } : {}),
        tree: result.tree,
        paths,
        hostname: host,
        ...(env.username ? { username: env.username } : {}),
        ...(env.uid ? { uid: env.uid } : {}),
        ...(env.gid ? { gid: env.gid } : {}),
        ...(opts.excludes?.length ? { excludes: opts.excludes } : {}),
        ...(opts.tags?.length ? { tags: opts.tags } : {}),
      };
      const snapshotId = await view.saveSnapshot(snapshot);
      return summarize(snapshotId, parent?.id, result.counts, writer, result.errors, repo.env.clock.now().getTime() - started.getTime());
    } finally {
      await writer.abandon(); // temp packs of a run that failed
      await pool.close();
    }
  });
}

function summarize(snapshotId: Id, parent: Id | undefined, c: BackupCounts, w: RepoWriter, errors: readonly SourceError[], durationMs: number): BackupSummary {
  return {
    snapshotId,
    ...(parent ? { parent } : {}),
    filesNew: c.filesNew,
    filesChanged: c.filesChanged,
    filesUnmodified: c.filesUnmodified,
    dirsNew: c.dirsNew,
    dirsChanged: c.dirsChanged,
    dirsUnmodified: c.dirsUnmodified,
    dataBlobs: w.stats.dataBlobs,
    treeBlobs: w.stats.treeBlobs,
    dataAdded: w.stats.dataAdded,
    dataStored: w.stats.dataStored,
    totalFilesProcessed: c.filesNew + c.filesChanged + c.filesUnmodified,
    totalBytesProcessed: c.bytesProcessed,
    durationMs,
    errors,
  };
}
