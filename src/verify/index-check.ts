import { mapConcurrent } from '../lib/index.js';
import { shortId, type Id } from '../model/index.js';
import { MasterIndex, decodeIndexFile, type IndexFile, type PackedBlob, type Repository } from '../repo/index.js';
import type { CheckProblem } from './check-report.js';
import { judge, loadUnpackedChecked } from './checked-load.js';

/** The index as check sees it: every readable index file merged, and what was wrong. */
export interface CheckedIndex {
  readonly index: MasterIndex;
  /** Pack → its blobs, merged over every index file that lists it. */
  readonly packs: ReadonlyMap<Id, readonly PackedBlob[]>;
  readonly files: number;
  readonly problems: CheckProblem[];
  readonly hints: string[];
}

/**
 * Loads every index file on its own, so that one broken file is a problem in the report
 * rather than the end of the check (Repository.loadIndex stops at the first one).
 */
export async function loadIndexChecked(
  repo: Repository,
  concurrency: number,
  progress: (done: number, total: number) => void,
): Promise<CheckedIndex> {
  const ids = (await repo.listIds('index')).sort();
  let done = 0;
  progress(0, ids.length);
  const files = await mapConcurrent(ids, concurrency, async (id) => {
    const plain = await loadUnpackedChecked(repo, 'index', id);
    const decoded = plain.ok ? judge(() => decodeIndexFile(plain.value)) : plain;
    progress(++done, ids.length);
    return { id, decoded, oldFormat: plain.ok && firstJsonByte(plain.value) === 0x5b };
  });

  const problems: CheckProblem[] = [];
  const hints: string[] = [];
  const index = new MasterIndex();
  const packs = new Map<Id, PackedBlob[]>();
  const listedIn = new Map<Id, Id[]>();
  for (const { id, decoded, oldFormat } of files) {
    if (!decoded.ok) {
      problems.push({ kind: 'index-invalid', index: id, message: `index file ${shortId(id)} cannot be read: ${decoded.message}` });
      continue;
    }
    if (oldFormat) hints.push(`index file ${shortId(id)} uses the old format (a bare list of packs)`);
    mergeIndexFile(id, decoded.value, index, packs, listedIn);
  }
  for (const [pack, indexIds] of listedIn) {
    if (indexIds.length > 1) hints.push(`pack ${shortId(pack)} is contained in several index files: ${indexIds.map(shortId).join(', ')}`);
  }
  for (const [pack, blobs] of packs) {
    if (blobs.some((b) => b.type === 'tree') && blobs.some((b) => b.type === 'data')) {
      hints.push(`pack ${shortId(pack)} contains a mix of tree and data blobs`);
    }
  }
  return { index, packs, files: ids.length, problems, hints };
}

function mergeIndexFile(indexId: Id, file: IndexFile, index: MasterIndex, packs: Map<Id, PackedBlob[]>, listedIn: Map<Id, Id[]>): void {
  for (const p of file.packs) {
    index.addPack(p);
    const seenIn = listedIn.get(p.id);
    if (seenIn) {
      if (!seenIn.includes(indexId)) seenIn.push(indexId);
      const blobs = packs.get(p.id)!;
      const have = new Set(blobs.map((b) => `${b.id}@${b.offset}`));
      for (const b of p.blobs) if (!have.has(`${b.id}@${b.offset}`)) blobs.push(b);
    } else {
      listedIn.set(p.id, [indexId]);
      packs.set(p.id, [...p.blobs]);
    }
  }
}

function firstJsonByte(bytes: Uint8Array): number | undefined {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}
