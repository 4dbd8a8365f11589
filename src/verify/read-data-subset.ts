import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';

/** restic's --read-data-subset: a bucket of packs by ID, a random share, or a random amount of bytes. */
export type ReadDataSubset =
  | { readonly kind: 'bucket'; readonly n: number; readonly t: number }
  | { readonly kind: 'percent'; readonly percent: number }
  | { readonly kind: 'size'; readonly bytes: number };

/** restic buckets packs by the first byte of their ID, so there can be at most 256 buckets. */
const MAX_BUCKETS = 256;
const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function invalid(spec: string, why: string): LifeboatError {
  return new LifeboatError(
    'INVALID_ARGUMENT',
    `invalid read-data subset "${spec}": ${why}; use "n/t" (e.g. "1/5"), a percentage ("10%") or a size ("500M")`,
  );
}

export function parseReadDataSubset(spec: string): ReadDataSubset {
  const s = spec.trim();
  const bucket = /^(\d+)\/(\d+)$/.exec(s);
  if (bucket) {
    const n = Number(bucket[1]);
    const t = Number(bucket[2]);
    if (n < 1 || t < 1 || n > t) throw invalid(spec, 'n and t must be positive integers with n <= t');
    if (t > MAX_BUCKETS) throw invalid(spec, `t must be at most ${MAX_BUCKETS}`);
    return { kind: 'bucket', n, t };
  }
  if (s.endsWith('%')) {
    const body = s.slice(0, -1);
    if (!/^\d+(?:\.\d+)?$/.test(body)) throw invalid(spec, 'the percentage is not a number');
    const percent = Number(body);
    if (!(percent > 0 && percent <= 100)) throw invalid(spec, 'the percentage must be above 0 and at most 100');
    return { kind: 'percent', percent };
  }
  const size = /^(\d+)([kmgt]?)$/i.exec(s);
  if (size) {
    const bytes = Number(size[1]) * SIZE_UNITS[size[2]!.toLowerCase()]!;
    if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw invalid(spec, 'the size must be positive');
    return { kind: 'size', bytes };
  }
  throw invalid(spec, 'not a known form');
}

/**
 * The packs to read, sorted by ID. Buckets take packs whose first ID byte mod t is n-1, so
 * that running 1/t … t/t reads each pack exactly once; a share takes a random sample of at
 * least one pack; a size takes the share of the repository that size amounts to (as restic 0.14).
 */
export function selectPacks(
  packs: readonly { readonly id: Id; readonly size: number }[],
  subset: ReadDataSubset | undefined,
  random: () => number,
): Id[] {
  const ids = packs.map((p) => p.id).sort();
  if (subset === undefined || ids.length === 0) return ids;
  if (subset.kind === 'bucket') return ids.filter((id) => parseInt(id.slice(0, 2), 16) % subset.t === subset.n - 1);
  let percent: number;
  if (subset.kind === 'percent') percent = subset.percent;
  else {
    const total = packs.reduce((sum, p) => sum + p.size, 0);
    percent = total === 0 ? 100 : Math.min(100, (subset.bytes / total) * 100);
  }
  const count = Math.max(1, Math.floor((ids.length * percent) / 100));
  // Partial Fisher–Yates: the first `count` entries become a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (ids.length - i));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, count).sort();
}
