import { LifeboatError } from '../errors/index.js';
import { groupSnapshots, selectSnapshot, type GroupBy, type GroupKey, type SelectFilter } from './retention-group.js';
import { applyPolicy, isEmptyPolicy, type KeepReason, type RetentionPolicy, type RetentionSnapshot } from './retention-policy.js';

export interface ForgetGroupPlan<T extends RetentionSnapshot> {
  readonly key: GroupKey;
  readonly keep: readonly T[];
  readonly remove: readonly T[];
  readonly reasons: readonly KeepReason[];
}

/** What `forget` will do: per group, what is kept (and why) and what is removed. */
export interface ForgetPlan<T extends RetentionSnapshot> {
  readonly groups: readonly ForgetGroupPlan<T>[];
  /** Every snapshot to remove, over all groups. */
  readonly remove: readonly T[];
}

/**
 * The forget plan: select with the filter, group, apply the policy to each group. An empty
 * policy is refused (it would keep everything, and a typo must not look like success).
 */
export function planForget<T extends RetentionSnapshot>(list: readonly T[], policy: RetentionPolicy, by: GroupBy, filter: SelectFilter = {}): ForgetPlan<T> {
  if (isEmptyPolicy(policy)) {
    throw new LifeboatError(
      'FORGET_EMPTY_POLICY',
      'no retention policy given, nothing would be removed; pass at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly, --keep-within*, --keep-tag (or keep: in lifeboat.yaml)',
    );
  }
  for (const [k, v] of Object.entries(policy)) {
    if (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0)) {
      throw new LifeboatError('INVALID_ARGUMENT', `keep ${k} must be a whole number of snapshots, 0 or more (got ${v})`);
    }
  }
  const groups = groupSnapshots(list.filter((s) => selectSnapshot(s, filter)), by).map((g) => {
    const r = applyPolicy(g.snapshots, policy);
    return { key: g.key, keep: r.keep as T[], remove: r.remove as T[], reasons: r.reasons };
  });
  return { groups, remove: groups.flatMap((g) => g.remove) };
}
