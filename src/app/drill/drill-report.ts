import type { ProbeCounts } from '../../apps/probes/index.js';

export interface DatabaseDrill {
  /** `postgres/decidim`. */
  readonly id: string;
  readonly ok: boolean;
  readonly tables: number;
  /** Tables whose row count differs from the one recorded at backup time (at most 20). */
  readonly mismatched: readonly { readonly table: string; readonly expected: number; readonly actual: number | null }[];
  readonly durationMs: number;
  /** The scratch database, only when kept (`--keep`). */
  readonly scratch?: string;
  readonly error?: string;
}

export interface ProbeDrill extends ProbeCounts {
  readonly name: string;
  readonly format: string;
  /** The escrowed key the probe used (its name, never its value). */
  readonly key?: string;
  /** passed: samples opened and none failed; failed: some did not open (or the key is missing); no-samples: nothing to try. */
  readonly verdict: 'passed' | 'failed' | 'no-samples';
  readonly note?: string;
}

/** What `lifeboat drill` prints as --json and records in the journal. Never a secret or plaintext. */
export interface DrillReport {
  readonly app: string;
  readonly location: string;
  readonly snapshot: string;
  readonly snapshotTime: string;
  readonly ok: boolean;
  /** One line per reason the drill failed. */
  readonly problems: readonly string[];
  readonly files: { readonly files: number; readonly bytes: number; readonly mismatched: readonly string[]; readonly mismatchCount: number; readonly restoreErrors: number };
  readonly databases: readonly DatabaseDrill[];
  readonly keys: { readonly escrowed: readonly string[]; readonly missing: readonly string[] };
  readonly probes: readonly ProbeDrill[];
  /** True when at least one probe opened stored values with an escrowed key: the keys are proven, not just present. */
  readonly keysProven: boolean;
  /** Restore of the files plus the databases: what a real recovery would take. */
  readonly recoveryTimeMs: number;
  readonly durationMs: number;
  /** Leftovers of dead drills removed first; `problems` there do not fail this drill. */
  readonly swept: { readonly databases: readonly string[]; readonly directories: readonly string[]; readonly problems: readonly string[] };
  /** Where the scratch copy is, with --keep. */
  readonly kept?: { readonly directory: string; readonly databases: readonly string[] };
}
