import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Id } from '../model/index.js';
import type { Repository } from '../repo/index.js';
import { pathText, walkTree } from '../restorer/index.js';

export interface RestoredFilesReport {
  readonly files: number;
  readonly bytes: number;
  /** Paths whose restored bytes differ from the snapshot, or that are missing (at most 50). */
  readonly mismatched: readonly string[];
  readonly mismatchCount: number;
}

const MAX_LISTED = 50;

/**
 * Reads every restored file back from disk and checks it, blob by blob, against the snapshot:
 * each slice must hash to the blob ID the snapshot lists, and the file must end where the last
 * blob ends. The repository is not read again (only the index, for plaintext lengths).
 */
export async function verifyRestoredFiles(repo: Repository, tree: Id, target: string): Promise<RestoredFilesReport> {
  let files = 0;
  let bytes = 0;
  let mismatchCount = 0;
  const mismatched: string[] = [];
  const miss = (p: string): void => {
    mismatchCount++;
    if (mismatched.length < MAX_LISTED) mismatched.push(p);
  };
  for await (const e of walkTree(repo, tree)) {
    if (e.node.type !== 'file') continue;
    const p = pathText(e.path);
    files++;
    const ok = await fileMatches(repo, join(target, ...e.path.map((c) => Buffer.from(c).toString())), e.node.content ?? []);
    if (ok === undefined) miss(p);
    else bytes += ok;
  }
  return { files, bytes, mismatched, mismatchCount };
}

/** The file's length when it matches, undefined when it does not (or cannot be read). */
async function fileMatches(repo: Repository, path: string, content: readonly Id[]): Promise<number | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let total = 0;
    for (const id of content) {
      const loc = repo.index.lookup(id, 'data');
      if (!loc) return undefined;
      const len = loc.uncompressedLength > 0 ? loc.uncompressedLength : loc.length - 32;
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, total);
      if (bytesRead !== len || createHash('sha256').update(buf).digest('hex') !== id) return undefined;
      total += len;
    }
    const probe = Buffer.allocUnsafe(1);
    if ((await fh.read(probe, 0, 1, total)).bytesRead !== 0) return undefined;
    return total;
  } finally {
    await fh.close();
  }
}
