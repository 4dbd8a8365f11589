import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from './environment.js';
import { repoEnv } from './repo-access.js';
import { stateDirFor } from './state-dir.js';

export interface LocationRecord {
  /** RFC 3339 time of the last `check` that passed there. */
  lastCheck?: string;
  /** Set by a run that left the location behind; cleared by a sync or backup that completes it. */
  behindSince?: { time: string; reason: string };
}

/**
 * What this machine remembers about each location, keyed by its printable location (which
 * holds no credential): `<state dir>/locations.json`. Small and rewritten whole (temp file and
 * rename). A missing or unreadable file is an empty record: it only adds detail to the status.
 */
export class LocationRecords {
  readonly #file: string;
  readonly #data: Record<string, LocationRecord>;

  private constructor(file: string, data: Record<string, LocationRecord>) {
    this.#file = file;
    this.#data = data;
  }

  /** The state dir, the same one the journal uses (see stateDirFor). */
  static stateDir(env: Environment, configured?: string): string {
    return stateDirFor(env, configured);
  }

  static load(dir: string): LocationRecords {
    const file = join(dir, 'locations.json');
    let data: Record<string, LocationRecord> = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, LocationRecord>;
    } catch {
      // none yet, or damaged: start afresh
    }
    return new LocationRecords(file, data);
  }

  get(location: string): LocationRecord | undefined {
    const r = this.#data[location];
    return r && typeof r === 'object' ? r : undefined;
  }

  update(location: string, fn: (r: LocationRecord) => void): void {
    const r = this.get(location) ?? {};
    fn(r);
    this.#data[location] = r;
  }

  /** Best effort: a read-only home must not fail a backup that succeeded. */
  save(): void {
    try {
      mkdirSync(join(this.#file, '..'), { recursive: true, mode: 0o700 });
      const tmp = `${this.#file}.tmp-${randomBytes(6).toString('hex')}`;
      writeFileSync(tmp, JSON.stringify(this.#data, null, 2) + '\n', { mode: 0o600 });
      renameSync(tmp, this.#file);
    } catch {
      // ignored, see above
    }
  }
}

/** Records each location's outcome of a mirrored run: behind since when and why, or caught up. */
export function recordMirrorRun(states: readonly { location: string; behind: boolean; reason?: string }[], env: Environment, time: string, stateDir?: string): void {
  const records = LocationRecords.load(LocationRecords.stateDir(env, stateDir));
  for (const s of states) {
    records.update(s.location, (r) => {
      if (s.behind) r.behindSince ??= { time, reason: s.reason ?? 'unknown' };
      else delete r.behindSince;
    });
  }
  records.save();
}

/** Records a passed check of one location (for `lifeboat locations`). */
export function recordCheck(location: string, env: Environment, stateDir?: string): void {
  const records = LocationRecords.load(LocationRecords.stateDir(env, stateDir));
  records.update(location, (r) => {
    r.lastCheck = repoEnv(env).clock.now().toISOString();
  });
  records.save();
}
