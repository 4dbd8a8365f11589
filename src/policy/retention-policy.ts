import type { GoTime, Id, Snapshot } from '../model/index.js';
import { calendarFields, isoWeek, subtractDuration } from './retention-calendar.js';
import { formatRetentionDuration, isZeroDuration, type RetentionDuration } from './retention-duration.js';

/** restic 0.14's ExpirePolicy: counts, durations relative to the newest snapshot, tag lists. */
export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  readonly within?: RetentionDuration;
  readonly withinHourly?: RetentionDuration;
  readonly withinDaily?: RetentionDuration;
  readonly withinWeekly?: RetentionDuration;
  readonly withinMonthly?: RetentionDuration;
  readonly withinYearly?: RetentionDuration;
  /** Keep every snapshot that has all tags of at least one list. */
  readonly tags?: readonly (readonly string[])[];
}

export interface RetentionSnapshot {
  readonly id: Id;
  readonly snapshot: Snapshot;
}

export interface KeepReason {
  readonly id: Id;
  /** restic's match texts: "last snapshot", "daily snapshot", "within 2d", "has tags [a, b]"... */
  readonly matches: readonly string[];
  /** Counts left after this snapshot, as restic's `counters` (zero ones omitted). */
  readonly counters: Readonly<Partial<Record<CountRule, number>>>;
}

export interface PolicyResult {
  /** Newest first, as restic lists them. */
  readonly keep: readonly RetentionSnapshot[];
  readonly remove: readonly RetentionSnapshot[];
  /** One per kept snapshot, in the order of `keep`. */
  readonly reasons: readonly KeepReason[];
}

const COUNT_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type CountRule = (typeof COUNT_RULES)[number];
type Bucket = (t: GoTime, nr: number) => number;

const ymdh: Bucket = (t) => {
  const c = calendarFields(t);
  return c.year * 1_000_000 + c.month * 10_000 + c.day * 100 + c.hour;
};
const ymd: Bucket = (t) => Math.floor(ymdh(t, 0) / 100);
const yw: Bucket = (t) => {
  const w = isoWeek(t);
  return w.year * 100 + w.week;
};
const ym: Bucket = (t) => Math.floor(ymdh(t, 0) / 10_000);
const y: Bucket = (t) => calendarFields(t).year;
const always: Bucket = (_t, nr) => nr;

const COUNT_BUCKETS: Record<CountRule, [Bucket, string]> = {
  last: [always, 'last snapshot'],
  hourly: [ymdh, 'hourly snapshot'],
  daily: [ymd, 'daily snapshot'],
  weekly: [yw, 'weekly snapshot'],
  monthly: [ym, 'monthly snapshot'],
  yearly: [y, 'yearly snapshot'],
};

const WITHIN_BUCKETS = [
  ['withinHourly', ymdh, 'hourly within'],
  ['withinDaily', ymd, 'daily within'],
  ['withinWeekly', yw, 'weekly within'],
  ['withinMonthly', ym, 'monthly within'],
  ['withinYearly', y, 'yearly within'],
] as const;

/** True when the policy would keep everything: restic refuses to act on it. */
export function isEmptyPolicy(p: RetentionPolicy): boolean {
  if ((p.tags?.length ?? 0) > 0) return false;
  if (COUNT_RULES.some((r) => (p[r] ?? 0) !== 0)) return false;
  return isZeroDuration(p.within) && WITHIN_BUCKETS.every(([k]) => isZeroDuration(p[k]));
}

/** restic's `HasTags`: every tag present; the empty tag matches a snapshot without tags. */
export function hasTags(s: Snapshot, list: readonly string[]): boolean {
  for (const tag of list) {
    if (tag === '' && (s.tags?.length ?? 0) === 0) return true;
    if (!(s.tags ?? []).includes(tag)) return false;
  }
  return true;
}

/** Newest first; equal times keep their input order (Go's sort.Stable). */
export function sortNewestFirst<T extends RetentionSnapshot>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.snapshot.time.unixNs > b.snapshot.time.unixNs ? -1 : a.snapshot.time.unixNs < b.snapshot.time.unixNs ? 1 : 0));
}

/**
 * restic 0.14's ApplyPolicy for one group. Walking newest to oldest, a snapshot is kept
 * when any rule keeps it: a tag list it has, `within` the newest snapshot's time minus the
 * duration, or a count rule whose bucket (hour, day, ISO week, month, year; `last`: every
 * snapshot) differs from the previous kept one while counts remain.
 */
export function applyPolicy(list: readonly RetentionSnapshot[], p: RetentionPolicy): PolicyResult {
  const sorted = sortNewestFirst(list);
  if (isEmptyPolicy(p)) {
    return { keep: sorted, remove: [], reasons: sorted.map((s) => ({ id: s.id, matches: ['policy is empty'], counters: {} })) };
  }
  if (sorted.length === 0) return { keep: [], remove: [], reasons: [] };
  const counts = Object.fromEntries(COUNT_RULES.map((r) => [r, p[r] ?? 0])) as Record<CountRule, number>;
  const lastVal = Object.fromEntries(COUNT_RULES.map((r) => [r, -1])) as Record<CountRule, number>;
  const withinLast = WITHIN_BUCKETS.map(() => -1);
  // restic 0.14 measures from the first snapshot after sorting: the newest, even in the future.
  const latest = sorted[0]!.snapshot.time;
  const keep: RetentionSnapshot[] = [];
  const remove: RetentionSnapshot[] = [];
  const reasons: KeepReason[] = [];
  sorted.forEach((cur, nr) => {
    const t = cur.snapshot.time;
    const matches: string[] = [];
    for (const l of p.tags ?? []) if (hasTags(cur.snapshot, l)) matches.push(`has tags [${l.join(', ')}]`);
    if (!isZeroDuration(p.within) && t.unixNs > subtractDuration(latest, p.within!)) {
      matches.push(`within ${formatRetentionDuration(p.within!)}`);
    }
    for (const r of COUNT_RULES) {
      if (counts[r] <= 0) continue;
      const [bucket, reason] = COUNT_BUCKETS[r];
      const val = bucket(t, nr);
      if (val !== lastVal[r]) {
        lastVal[r] = val;
        counts[r]--;
        matches.push(reason);
      }
    }
    WITHIN_BUCKETS.forEach(([k, bucket, reason], i) => {
      const d = p[k];
      if (isZeroDuration(d) || !(t.unixNs > subtractDuration(latest, d!))) return;
      const val = bucket(t, nr);
      if (val !== withinLast[i]) {
        withinLast[i] = val;
        matches.push(`${reason} ${formatRetentionDuration(d!)}`);
      }
    });
    if (matches.length === 0) {
      remove.push(cur);
      return;
    }
    keep.push(cur);
    const counters: Partial<Record<CountRule, number>> = {};
    for (const r of COUNT_RULES) if (counts[r] !== 0) counters[r] = counts[r];
    reasons.push({ id: cur.id, matches, counters });
  });
  return { keep, remove, reasons };
}
