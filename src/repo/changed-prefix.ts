import { isLifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { BlobWorkerPool } from './blob-worker-pool.js';

// A large file that changed since the parent snapshot: which of the parent's chunks are still
// there, where they lay. Used by WorkerReads.readChanged.

/** One chunk of a file's content in the parent snapshot. */
export interface ParentChunk {
  readonly id: Id;
  readonly length: number;
}

export interface PrefixRange {
  readonly start: number;
  readonly length: number;
  readonly id: Id;
}

/**
 * Where the parent's chunks lay, but the last (cut by the end of the file, not by the
 * chunker) and any past the file's present size.
 */
export function prefixRanges(parent: readonly ParentChunk[], size: number): PrefixRange[] {
  const ranges: PrefixRange[] = [];
  let at = 0;
  for (let i = 0; i < parent.length - 1; i++) {
    const { id, length } = parent[i]!;
    if (at + length > size) break;
    ranges.push({ start: at, length, id });
    at += length;
  }
  return ranges;
}

/** Ranges hashed by one `hash-ranges` task: a few milliseconds of work, so every worker gets some. */
const VERIFY_BATCH_BYTES = 16 * 1024 * 1024;

export function batchRanges(ranges: readonly PrefixRange[]): PrefixRange[][] {
  const batches: PrefixRange[][] = [];
  let bytes = VERIFY_BATCH_BYTES;
  for (const r of ranges) {
    if (bytes >= VERIFY_BATCH_BYTES) {
      batches.push([]);
      bytes = 0;
    }
    batches[batches.length - 1]!.push(r);
    bytes += r.length;
  }
  return batches;
}

/**
 * How many of `ranges`, from the first, still hold the bytes they held: batches of them are
 * hashed on every worker, a few ahead of the one looked at, until one differs. A file that
 * cannot be read gives 0: reading it whole then reports why.
 */
export async function unchangedPrefix(pool: BlobWorkerPool, path: Uint8Array, ranges: readonly PrefixRange[]): Promise<number> {
  const batches = batchRanges(ranges);
  const asked: Promise<readonly Id[]>[] = [];
  const ahead = pool.size * 2;
  let verified = 0;
  for (let b = 0; b < batches.length; b++) {
    for (let n = asked.length; n < batches.length && n < b + ahead; n++) {
      const p = pool.hashRanges(pool.leastLoaded(), path, batches[n]!);
      p.catch(() => undefined); // one not looked at after a mismatch
      asked.push(p);
    }
    let ids: readonly Id[];
    try {
      ids = await asked[b]!;
    } catch (e) {
      if (isLifeboatError(e)) throw e;
      return 0;
    }
    const batch = batches[b]!;
    let same = 0;
    while (same < batch.length && ids[same] === batch[same]!.id) same++;
    verified += same;
    if (same < batch.length) break;
  }
  return verified;
}
