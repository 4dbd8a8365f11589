import { LifeboatError } from '../errors/index.js';
import type { BlobType, Id } from '../model/index.js';

/** A pack as the index describes it (only what planning needs). */
export interface PlanPack {
  readonly id: Id;
  readonly blobs: readonly { readonly type: BlobType; readonly id: Id; readonly length: number }[];
}

/** How much unused data may stay: restic's `--max-unused` (5% by default). */
export type MaxUnused = { readonly kind: 'percent'; readonly value: number } | { readonly kind: 'bytes'; readonly value: number } | { readonly kind: 'unlimited' };

export const DEFAULT_MAX_UNUSED: MaxUnused = Object.freeze({ kind: 'percent', value: 5 });

export interface PruneFacts {
  /** Every pack of every index file (a pack listed twice appears once). */
  readonly indexed: readonly PlanPack[];
  /** Pack files in storage, by ID, with their sizes. */
  readonly stored: ReadonlyMap<Id, number>;
  /** Blobs some snapshot needs, as `type:id`. */
  readonly used: ReadonlySet<string>;
}

export interface PruneStats {
  readonly usedBlobs: number;
  /** Sealed bytes of the used blobs, each counted once. */
  readonly usedBytes: number;
  /** Sealed bytes in packs that no snapshot needs (including duplicate copies). */
  readonly unusedBytes: number;
  /** Unused bytes still stored after the prune (in kept packs). */
  readonly unusedAfter: number;
  /** Bytes of pack files deleted (after repacking their used blobs). */
  readonly deletedBytes: number;
  readonly repackBlobs: number;
  readonly repackBytes: number;
}

/** What `prune` will do, in this order: copy, write the index, delete index files, delete packs. */
export interface PrunePlan {
  readonly keep: readonly Id[];
  /** Partly used packs whose used blobs are copied into new packs; then deleted. */
  readonly repack: readonly Id[];
  /** Indexed packs no snapshot needs. */
  readonly remove: readonly Id[];
  /** Pack files no index lists (left by an interrupted backup or prune). */
  readonly unreferenced: readonly Id[];
  /** Packs an index lists that are not in storage and hold nothing needed: dropped from the index. */
  readonly missing: readonly Id[];
  /** Blobs to copy out of the repacked packs, each once. */
  readonly copy: readonly { readonly type: BlobType; readonly id: Id }[];
  readonly stats: PruneStats;
}

/** Parses `5%`, `0`, `100M`, `2g`, `unlimited` (restic's --max-unused). */
export function parseMaxUnused(s: string): MaxUnused {
  const t = s.trim();
  if (t === 'unlimited') return { kind: 'unlimited' };
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) {
    const v = Number(pct[1]);
    if (v >= 100) throw new LifeboatError('INVALID_ARGUMENT', `--max-unused ${t} must be below 100%; use "unlimited" to never repack`);
    return { kind: 'percent', value: v };
  }
  const abs = /^(\d+)([kKmMgGtT]?)$/.exec(t);
  if (!abs) throw new LifeboatError('INVALID_ARGUMENT', `invalid --max-unused "${t.slice(0, 20)}"; give a percentage (5%), bytes with k/m/g/t (200M), or "unlimited"`);
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[abs[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return { kind: 'bytes', value: Number(abs[1]) * mult };
}

const key = (type: BlobType, id: Id) => `${type}:${id}`;

/**
 * Decides which packs stay, which are repacked and which go. Every used blob must live in a
 * stored pack, or the plan is refused: nothing is deleted that is not proven unneeded.
 * A blob stored in several packs is kept in one: preferably a pack kept anyway.
 */
export function planPrune(facts: PruneFacts, maxUnused: MaxUnused = DEFAULT_MAX_UNUSED): PrunePlan {
  const present = facts.indexed.filter((p) => facts.stored.has(p.id));
  const missing = facts.indexed.filter((p) => !facts.stored.has(p.id));
  // Copies of each used blob in stored packs.
  const copies = new Map<string, number>();
  for (const p of present) for (const b of p.blobs) if (facts.used.has(key(b.type, b.id))) copies.set(key(b.type, b.id), (copies.get(key(b.type, b.id)) ?? 0) + 1);
  const lost = [...facts.used].filter((k) => !copies.has(k));
  if (lost.length > 0) {
    throw new LifeboatError('PRUNE_UNSAFE', `${lost.length} blob(s) that snapshots need are in no stored pack (first: ${lost[0]!.slice(0, 13)}); nothing was deleted; run "lifeboat check"`, { data: { missing: lost.slice(0, 20) } });
  }

  // Claim each used blob once: first the packs where a blob has its only copy, then the rest.
  const owner = new Map<string, Id>();
  const claims = new Map<Id, number>();
  const claim = (k: string, p: Id) => {
    owner.set(k, p);
    claims.set(p, (claims.get(p) ?? 0) + 1);
  };
  for (const p of present) for (const b of p.blobs) if (copies.get(key(b.type, b.id)) === 1) claim(key(b.type, b.id), p.id);
  // Then the duplicates: packs that stay anyway first (they own a blob), then the most used.
  const usedCount = new Map(present.map((p) => [p.id, p.blobs.filter((b) => facts.used.has(key(b.type, b.id))).length]));
  const rank = (p: PlanPack) => [claims.has(p.id) ? 1 : 0, usedCount.get(p.id)! / p.blobs.length, usedCount.get(p.id)!] as const;
  const order = [...present].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
  });
  for (const p of order) {
    for (const b of p.blobs) if (facts.used.has(key(b.type, b.id)) && !owner.has(key(b.type, b.id))) claim(key(b.type, b.id), p.id);
  }

  let usedBytes = 0;
  let unusedBytes = 0;
  const keep: Id[] = [];
  const remove: Id[] = [];
  const candidates: { id: Id; used: number; unused: number }[] = [];
  for (const p of present) {
    let used = 0;
    let unused = 0;
    for (const b of p.blobs) {
      if (owner.get(key(b.type, b.id)) === p.id) used += b.length;
      else unused += b.length;
    }
    usedBytes += used;
    unusedBytes += unused;
    if (unused === 0) keep.push(p.id);
    else if (used === 0) remove.push(p.id);
    else candidates.push({ id: p.id, used, unused });
  }
  let unusedAfter = candidates.reduce((n, c) => n + c.unused, 0);
  const limit = maxUnused.kind === 'unlimited' ? Infinity : maxUnused.kind === 'bytes' ? maxUnused.value : (usedBytes * maxUnused.value) / (100 - maxUnused.value);
  // Most wasteful first (unused relative to used), as restic orders them.
  candidates.sort((a, b) => b.unused * a.used - a.unused * b.used);
  const repack: Id[] = [];
  for (const c of candidates) {
    if (unusedAfter <= limit) keep.push(c.id);
    else {
      repack.push(c.id);
      unusedAfter -= c.unused;
    }
  }
  const repackSet = new Set(repack);
  const copy: { type: BlobType; id: Id }[] = [];
  let repackBytes = 0;
  for (const p of present) {
    if (!repackSet.has(p.id)) continue;
    for (const b of p.blobs) {
      if (owner.get(key(b.type, b.id)) !== p.id) continue;
      copy.push({ type: b.type, id: b.id });
      repackBytes += b.length;
    }
  }
  const indexedIds = new Set(facts.indexed.map((p) => p.id));
  const unreferenced = [...facts.stored.keys()].filter((id) => !indexedIds.has(id));
  let deletedBytes = 0;
  for (const id of [...remove, ...repack, ...unreferenced]) deletedBytes += facts.stored.get(id) ?? 0;
  return {
    keep, repack, remove, unreferenced, missing: missing.map((p) => p.id), copy,
    stats: { usedBlobs: facts.used.size, usedBytes, unusedBytes, unusedAfter, deletedBytes, repackBlobs: copy.length, repackBytes },
  };
}
