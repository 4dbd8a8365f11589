import type { GuardFacts, GuardThresholds, LocationFacts, SnapshotFacts } from './guard-facts.js';

/** The rules, in the order they are reported; their names are stable (pipelines match on them). */
export const GUARD_RULES = ['fresh', 'copies', 'contents', 'keys', 'drill', 'checks'] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

export interface RuleVerdict {
  readonly rule: GuardRule;
  readonly ok: boolean;
  /** One line: what holds, or what is broken and how to mend it. */
  readonly reason: string;
}

export interface GuardVerdict {
  readonly ok: boolean;
  readonly rules: readonly RuleVerdict[];
}

const HOUR = 3_600_000;
const ok = (rule: GuardRule, reason: string): RuleVerdict => ({ rule, ok: true, reason });
const broken = (rule: GuardRule, reason: string): RuleVerdict => ({ rule, ok: false, reason });

function age(now: Date, then: Date): string {
  const h = (now.getTime() - then.getTime()) / HOUR;
  return h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}

const withLatest = (f: GuardFacts): (LocationFacts & { latest: SnapshotFacts })[] => f.locations.filter((l): l is LocationFacts & { latest: SnapshotFacts } => l.latest !== undefined);

function newest(f: GuardFacts): (LocationFacts & { latest: SnapshotFacts }) | undefined {
  return withLatest(f).sort((a, b) => b.latest.time.getTime() - a.latest.time.getTime())[0];
}

function fresh(f: GuardFacts, t: GuardThresholds): RuleVerdict {
  const n = newest(f);
  if (!n) {
    const why = f.locations.filter((l) => l.problem).map((l) => `${l.name}: ${l.problem}`);
    return broken('fresh', `no snapshot of the app in any location${why.length ? ` (${why.join('; ')})` : ''}; run "lifeboat backup --app ${f.app ?? 'NAME'}"`);
  }
  const ageMs = f.now.getTime() - n.latest.time.getTime();
  if (ageMs > t.maxAgeHours * HOUR) return broken('fresh', `the latest snapshot (${n.latest.id.slice(0, 8)} in ${n.name}) is ${age(f.now, n.latest.time)} old, more than ${t.maxAgeHours} h; make a backup`);
  return ok('fresh', `latest snapshot ${n.latest.id.slice(0, 8)} is ${age(f.now, n.latest.time)} old`);
}

function copies(f: GuardFacts, t: GuardThresholds): RuleVerdict {
  const recent = withLatest(f).filter((l) => f.now.getTime() - l.latest.time.getTime() <= t.maxAgeHours * HOUR);
  const names = recent.map((l) => l.name);
  if (recent.length >= t.minLocations) return ok('copies', `a recent snapshot is in ${recent.length} locations (${names.join(', ')})`);
  if (f.locations.length < t.minLocations) {
    // No backup can mend this: say what to change in lifeboat.yaml instead of "missing: none".
    const app = f.app ?? 'NAME';
    return broken('copies', `the app has only ${f.locations.length} location(s) (${f.locations.map((l) => l.name).join(', ') || 'none'}), at least ${t.minLocations} needed; add another location to lifeboat.yaml and to apps.${app}.locations, run "lifeboat init --app ${app}" and "lifeboat backup --app ${app}" (or lower guard.min_locations)`);
  }
  const missing = f.locations.filter((l) => !names.includes(l.name)).map((l) => (l.problem ? `${l.name} (${l.problem})` : l.name));
  return broken('copies', `a snapshot at most ${t.maxAgeHours} h old is in ${recent.length} location(s), at least ${t.minLocations} needed; missing or stale: ${missing.join(', ')}${f.locations.some((l) => l.problem) ? '' : `; run "lifeboat backup --app ${f.app ?? 'NAME'}" (it brings the locations that are behind level)`}`);
}

function contents(f: GuardFacts): RuleVerdict {
  const snaps = withLatest(f);
  if (snaps.length === 0) return broken('contents', 'no snapshot to look into');
  const gaps: string[] = [];
  for (const l of snaps) {
    const dbs = new Set([...f.declared.databases, ...l.latest.declared.databases]);
    const secrets = new Set([...f.declared.secrets, ...l.latest.declared.secrets]);
    const noDb = [...dbs].filter((d) => !l.latest.databases.includes(d));
    // `a|b`: either name will do (Mautic's secret_key may be escrowed under another name).
    const noKey = [...secrets].filter((s) => !s.split('|').some((alt) => l.latest.keys.some((k) => k.name === alt)));
    if (noDb.length + noKey.length > 0) {
      gaps.push(`${l.name} ${l.latest.id.slice(0, 8)} lacks ${[...noDb.map((d) => `database ${d}`), ...noKey.map((k) => `key ${k}`)].join(', ')}`);
    }
  }
  if (gaps.length) return broken('contents', `${gaps.join('; ')}; fix the app's sources and make a backup`);
  return ok('contents', `every declared database and key is in the latest snapshot of each location`);
}

function keys(f: GuardFacts): RuleVerdict {
  if (f.liveKeys === undefined) return broken('keys', `the live keys could not be read or compared (${f.liveKeysProblem ?? 'unknown reason'}); nothing proves the backup holds them`);
  const snaps = withLatest(f);
  if (snaps.length === 0) return broken('keys', 'no snapshot escrows the keys');
  if (f.liveKeys.length === 0) return broken('keys', 'the app declares no keys; declare its secrets so that they are backed up and compared');
  const bad: string[] = [];
  for (const live of f.liveKeys) {
    for (const l of snaps) {
      const escrowed = l.latest.keys.find((k) => k.name === live.name);
      if (!escrowed) bad.push(`${live.name} is not in ${l.name} ${l.latest.id.slice(0, 8)}`);
      else if (escrowed.fingerprint !== live.fingerprint) bad.push(`${live.name} CHANGED since ${l.name} ${l.latest.id.slice(0, 8)}`);
    }
  }
  if (bad.length) return broken('keys', `${bad.join('; ')}; run "lifeboat keys --app ${f.app ?? 'NAME'} --backup-now"`);
  return ok('keys', `${f.liveKeys.length} live key(s) match the latest snapshot of every location`);
}

function drill(f: GuardFacts, t: GuardThresholds): RuleVerdict {
  const maxAge = t.drillMaxAgeDays * 24 * HOUR;
  const passed = f.drills.filter((d) => d.ok);
  const recent = passed.filter((d) => f.now.getTime() - d.snapshotTime.getTime() <= maxAge);
  const afterChange = recent.filter((d) => f.lastKeyChange === undefined || d.snapshotTime.getTime() >= f.lastKeyChange.getTime());
  const best = afterChange.sort((a, b) => b.snapshotTime.getTime() - a.snapshotTime.getTime())[0];
  if (best) return ok('drill', `a drill passed on snapshot ${best.snapshot.slice(0, 8)} (${best.location}) of ${best.snapshotTime.toISOString()}`);
  const how = `run "lifeboat drill --app ${f.app ?? 'NAME'}"`;
  if (passed.length === 0) return broken('drill', `no drill has passed${f.drills.length ? ` (${f.drills.length} failed)` : ''}; ${how}`);
  if (recent.length === 0) return broken('drill', `the last passed drill was on a snapshot more than ${t.drillMaxAgeDays} days old; ${how}`);
  return broken('drill', `no drill passed on a snapshot made since the keys last changed (${f.lastKeyChange!.toISOString()}); ${how}`);
}

function checks(f: GuardFacts): RuleVerdict {
  const bad = f.locations.flatMap((l) => (l.lastCheck === undefined ? [`${l.name} was never checked`] : l.lastCheck.ok ? [] : [`the last check of ${l.name} (${l.lastCheck.at.toISOString()}) failed`]));
  if (bad.length) return broken('checks', `${bad.join('; ')}; run "lifeboat check --app ${f.app ?? 'NAME'}"`);
  return ok('checks', `the last check of each of ${f.locations.length} location(s) passed`);
}

/** Judges every rule; the guard passes only when all hold. */
export function judgeGuard(f: GuardFacts, t: GuardThresholds): GuardVerdict {
  const rules = [fresh(f, t), copies(f, t), contents(f), keys(f), drill(f, t), checks(f)];
  return { ok: rules.every((r) => r.ok), rules };
}
