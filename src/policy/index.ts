export { judgeGuard, GUARD_RULES, type GuardRule, type RuleVerdict, type GuardVerdict } from './guard-rules.js';
export { DEFAULT_GUARD_THRESHOLDS, type GuardFacts, type GuardThresholds, type LocationFacts, type SnapshotFacts, type DrillFact, type KeyFingerprint } from './guard-facts.js';
