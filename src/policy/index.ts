export { judgeGuard, GUARD_RULES, type GuardRule, type RuleVerdict, type GuardVerdict } from './guard-rules.js';
export { DEFAULT_GUARD_THRESHOLDS, type GuardFacts, type GuardThresholds, type LocationFacts, type SnapshotFacts, type DrillFact, type KeyFingerprint } from './guard-facts.js';
export { planForget, type ForgetPlan, type ForgetGroupPlan } from './retention.js';
export { applyPolicy, isEmptyPolicy, hasTags, sortNewestFirst, type RetentionPolicy, type RetentionSnapshot, type KeepReason, type PolicyResult } from './retention-policy.js';
export { parseGroupBy, groupSnapshots, selectSnapshot, DEFAULT_GROUP_BY, type GroupBy, type GroupKey, type SelectFilter, type SnapshotGroup } from './retention-group.js';
export { parseRetentionDuration, formatRetentionDuration, isZeroDuration, ZERO_DURATION, type RetentionDuration } from './retention-duration.js';
export { planPrune, parseMaxUnused, DEFAULT_MAX_UNUSED, type PrunePlan, type PruneFacts, type PruneStats, type PlanPack, type MaxUnused } from './prune-plan.js';
