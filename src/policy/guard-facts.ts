/**
 * What the guard knows, gathered by app/ from the repositories, the live app and the journal.
 * Plain data, so the rules are pure and table-tested.
 */
export interface GuardFacts {
  readonly now: Date;
  /** The app's name, for the commands the reasons suggest. */
  readonly app?: string;
  /** What the app declares now (its config): database ids like `postgres/decidim`, secret names. */
  readonly declared: { readonly databases: readonly string[]; readonly secrets: readonly string[] };
  /** One entry per location the app is configured for. */
  readonly locations: readonly LocationFacts[];
  /** The keys read from the live app now; `undefined` with `liveKeysProblem` when they could not be read. */
  readonly liveKeys?: readonly KeyFingerprint[];
  readonly liveKeysProblem?: string;
  /** Drills recorded (journal), any location, any snapshot. */
  readonly drills: readonly DrillFact[];
  /** When the live keys last changed (the first snapshot escrowing today's fingerprints), if known. */
  readonly lastKeyChange?: Date;
}

export interface KeyFingerprint {
  readonly name: string;
  readonly fingerprint: string;
}

export interface LocationFacts {
  readonly name: string;
  /** The newest snapshot of the app at this location; absent when there is none. */
  readonly latest?: SnapshotFacts;
  /** Why the location could not be read (unreachable, wrong password); then `latest` is absent. */
  readonly problem?: string;
  /** The last `check` of this location (journal). */
  readonly lastCheck?: { readonly at: Date; readonly ok: boolean };
}

/** An app snapshot as the shared layout describes it, reduced to what the rules look at. */
export interface SnapshotFacts {
  readonly id: string;
  readonly time: Date;
  /** Database ids with a dump and its `.json` in the snapshot (`postgres/decidim`). */
  readonly databases: readonly string[];
  /** `/secrets/keys.json`. */
  readonly keys: readonly KeyFingerprint[];
  /** What `/lifeboat/app.json` says the app declared when the snapshot was made. */
  readonly declared: { readonly databases: readonly string[]; readonly secrets: readonly string[] };
}

export interface DrillFact {
  readonly at: Date;
  readonly location: string;
  readonly snapshot: string;
  /** The drilled snapshot's own time. */
  readonly snapshotTime: Date;
  readonly ok: boolean;
}

/** Thresholds, each adjustable in the config (`guard:` of an app). */
export interface GuardThresholds {
  readonly maxAgeHours: number;
  readonly minLocations: number;
  readonly drillMaxAgeDays: number;
}

export const DEFAULT_GUARD_THRESHOLDS: GuardThresholds = { maxAgeHours: 24, minLocations: 2, drillMaxAgeDays: 7 };
