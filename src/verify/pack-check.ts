import { shortId, type Id } from '../model/index.js';
import { expectedPackSize, type PackedBlob } from '../repo/index.js';
import type { CheckProblem } from './check-report.js';
import type { PackVerdict } from './pack-verify.js';

export interface PackSizeCheck {
  readonly problems: CheckProblem[];
  readonly hints: string[];
  readonly missing: Set<Id>;
  readonly wrongSize: Set<Id>;
  readonly unindexed: number;
}

const ids = (blobs: readonly PackedBlob[]) => blobs.map((b) => b.id);

/**
 * Compares the indexed packs with the listing of the backend: each must exist with exactly
 * the size its index entries imply. Unindexed packs are only a hint: an interrupted backup
 * leaves them, and prune removes them.
 */
export function checkPackSizes(packs: ReadonlyMap<Id, readonly PackedBlob[]>, onBackend: ReadonlyMap<Id, number>): PackSizeCheck {
  const problems: CheckProblem[] = [];
  const hints: string[] = [];
  const missing = new Set<Id>();
  const wrongSize = new Set<Id>();
  for (const [pack, blobs] of [...packs].sort(([a], [b]) => a.localeCompare(b))) {
    const size = onBackend.get(pack);
    if (size === undefined) {
      missing.add(pack);
      problems.push({ kind: 'pack-missing', pack, blobs: ids(blobs), message: `pack ${shortId(pack)} does not exist, but the index lists ${blobs.length} blob(s) in it` });
      continue;
    }
    const expected = expectedPackSize(blobs);
    if (size !== expected) {
      wrongSize.add(pack);
      problems.push({ kind: 'pack-size', pack, blobs: ids(blobs), message: `pack ${shortId(pack)}: unexpected file size: got ${size}, expected ${expected}` });
    }
  }
  let unindexed = 0;
  for (const pack of [...onBackend.keys()].sort()) {
    if (packs.has(pack)) continue;
    unindexed++;
    hints.push(`pack ${shortId(pack)} is not referenced in any index (left by an interrupted backup? prune removes it)`);
  }
  return { problems, hints, missing, wrongSize, unindexed };
}

/** The problems one read pack shows, most basic first. */
export function packProblems(pack: Id, v: PackVerdict): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const corruptIds = v.corrupt.map((c) => c.blob.id);
  if (v.actualId !== pack) {
    problems.push({ kind: 'pack-hash', pack, blobs: corruptIds, message: `pack ${shortId(pack)}: Pack ID does not match, the content hashes to ${shortId(v.actualId)}` + (corruptIds.length === 0 ? ' (every indexed blob in it is intact)' : '') });
  }
  if (v.headerError !== undefined) {
    problems.push({ kind: 'pack-header', pack, blobs: corruptIds, message: `pack ${shortId(pack)}: the header cannot be read: ${v.headerError}` });
  }
  if (v.headerMismatches.length > 0) {
    problems.push({ kind: 'pack-header', pack, blobs: [...v.mismatchedBlobs], message: `pack ${shortId(pack)}: header and index disagree: ${v.headerMismatches.join('; ')}` });
  }
  if (v.corrupt.length > 0) {
    const reasons = v.corrupt.map((c) => `${c.blob.type} blob ${shortId(c.blob.id)} at offset ${c.blob.offset}: ${c.reason}`);
    problems.push({ kind: 'blob-corrupt', pack, blobs: corruptIds, message: `pack ${shortId(pack)}: ${v.corrupt.length} blob(s) damaged: ${reasons.join('; ')}` });
  }
  return problems;
}
