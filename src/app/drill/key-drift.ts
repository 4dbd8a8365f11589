import { presetProbes } from '../../apps/probes/index.js';
import { goTimeToDate } from '../../model/index.js';
import { keyFingerprint, planSecrets, type DatabaseSpec, type SecretItem, type SecretsSpec } from '../../sources/index.js';
import { findAppSnapshot } from '../app-snapshots.js';
import { resolveAppSources } from '../app-sources.js';
import { runAppBackup } from '../app-backup.js';
import { recordAppBackup } from './record-backup.js';
import { appJournal, databaseNameOf, withLocation, type AppContext } from './app-context.js';
import { DbClient } from './db-client.js';
import { mauticPrefix, runProbes, type ProbeContext } from './drill-probes.js';
import type { ProbeDrill } from './drill-report.js';
import { appSnapshotInfo, readSmallFile } from './snapshot-facts.js';

export type KeyState = 'matches' | 'changed' | 'not-in-backup';

export interface KeyAtLocation {
  readonly location: string;
  readonly state: KeyState | 'unknown';
  readonly snapshot?: string;
  /** For `changed`: the time of the snapshot whose escrowed key differs (the key changed after it). */
  readonly since?: string;
  readonly problem?: string;
}

export interface KeyReport {
  readonly name: string;
  readonly source: string;
  /** The worst state over the locations that could be read; `unknown` when none could. */
  readonly state: KeyState | 'unknown';
  readonly locations: readonly KeyAtLocation[];
}

/** `lifeboat keys --json`: states and counts, never a key or a fingerprint. */
export interface KeysReport {
  readonly app: string;
  readonly ok: boolean;
  readonly keys: readonly KeyReport[];
  /** The live key tried on the live database's encrypted values. */
  readonly liveProbes: readonly ProbeDrill[];
  /** The escrowed key of the latest snapshot tried on the same values: the path back. */
  readonly escrowedProbes: readonly ProbeDrill[];
  /** Set when the live key no longer opens the live data: the app is running on a wrong key. */
  readonly emergency?: string;
  readonly problems: readonly string[];
  readonly backup?: { readonly snapshot: string } | { readonly error: string };
}

function liveDatabases(specs: readonly DatabaseSpec[], runner: AppContext['runner']): ProbeContext['databases'] {
  const out: { postgres?: { client: DbClient; database: string }; mysql?: { client: DbClient; database: string } } = {};
  for (const s of specs) {
    if (out[s.kind]) continue;
    const database = databaseNameOf(s);
    if (database) out[s.kind] = { client: new DbClient(runner, s.kind, s), database };
  }
  return out;
}

const RANK: Record<KeyState, number> = { matches: 0, changed: 1, 'not-in-backup': 2 };

/** Compares the live keys with those escrowed in the latest snapshot of each location, and tests them on the live data. */
export async function checkKeys(ctx: AppContext, opts: { backupNow?: boolean } = {}): Promise<KeysReport> {
  const started = ctx.clock.now();
  const problems: string[] = [];
  const { specs } = resolveAppSources(ctx.name, ctx.app, ctx.env);
  let live: readonly SecretItem[] = [];
  try {
    live = planSecrets(specs.filter((s): s is SecretsSpec => s.kind === 'secrets')).items;
  } catch (e) {
    problems.push(`the live keys could not be read: ${(e as Error).message}`);
  }
  if (live.length === 0 && problems.length === 0) problems.push(`app ${ctx.name} declares no keys (secrets); nothing to compare`);
  const { keys, escrowedBytes } = await compareWithLocations(ctx, live, problems);
  const probes = await emergencyCheck(ctx, specs.filter((s): s is DatabaseSpec => s.kind === 'postgres' || s.kind === 'mysql'), live, escrowedBytes);
  const changed = keys.some((k) => k.state !== 'matches');
  let backup: KeysReport['backup'];
  if (opts.backupNow && changed) {
    try {
      const t0 = ctx.clock.now();
      const b = await runAppBackup(ctx.config, ctx.name, ctx.env, { runner: ctx.runner });
      recordAppBackup(ctx.config, ctx.name, ctx.env, ctx.clock, t0, { result: b });
      backup = { snapshot: b.snapshotId };
    } catch (e) {
      backup = { error: (e as Error).message };
    }
  }
  const ok = !changed && !probes.emergency && problems.length === 0;
  const report: KeysReport = { app: ctx.name, ok, keys, ...probes, problems, ...(backup ? { backup } : {}) };
  const journal = appJournal(ctx);
  const summary = ok ? `${keys.length} key(s) match every location` : probes.emergency ?? (keys.filter((k) => k.state !== 'matches').map((k) => `${k.name} ${k.state}`).join(', ') || problems[0]!);
  journal.record({ kind: 'keys', app: ctx.name, startedAt: started, durationMs: ctx.clock.now().getTime() - started.getTime(), ok, summary, details: report });
  journal.close();
  return report;
}

/** Each live key against the latest snapshot of each location; also fetches the escrowed bytes (for the path back). */
async function compareWithLocations(ctx: AppContext, live: readonly SecretItem[], problems: string[]): Promise<{ keys: KeyReport[]; escrowedBytes: Map<string, Uint8Array> }> {
  const perKey = new Map<string, KeyAtLocation[]>(live.map((k) => [k.name, []]));
  const escrowedBytes = new Map<string, Uint8Array>();
  for (const l of ctx.locations) {
    try {
      await withLocation(ctx, l, async (repo) => {
        await repo.loadIndex();
        const entry = await findAppSnapshot(repo, ctx.name, 'latest');
        const info = await appSnapshotInfo(repo, entry);
        for (const k of live) {
          const esc = info.escrow.find((x) => x.name === k.name);
          const at = { location: l.name, snapshot: entry.id };
          if (!esc) perKey.get(k.name)!.push({ ...at, state: 'not-in-backup' });
          else if (esc.fingerprint === keyFingerprint(repo.key.encrypt, k.value)) perKey.get(k.name)!.push({ ...at, state: 'matches' });
          else perKey.get(k.name)!.push({ ...at, state: 'changed', since: goTimeToDate(entry.snapshot.time).toISOString() });
          if (esc && !escrowedBytes.has(k.name)) {
            const b = await readSmallFile(repo, entry, esc.path);
            if (b) escrowedBytes.set(k.name, b);
          }
        }
      });
    } catch (e) {
      for (const k of live) perKey.get(k.name)!.push({ location: l.name, state: 'unknown', problem: (e as Error).message });
      problems.push(`location ${l.name}: ${(e as Error).message}`);
    }
  }
  const keys = live.map((k): KeyReport => {
    const locs = perKey.get(k.name)!;
    const known = locs.filter((x): x is KeyAtLocation & { state: KeyState } => x.state !== 'unknown');
    const state = known.length === 0 ? 'unknown' : known.reduce<KeyState>((w, x) => (RANK[x.state] > RANK[w] ? x.state : w), 'matches');
    return { name: k.name, source: k.source, state, locations: locs };
  });
  return { keys, escrowedBytes };
}

/** Do the keys open the live database's encrypted values right now? The live key, then the escrowed one. */
async function emergencyCheck(ctx: AppContext, databases: readonly DatabaseSpec[], live: readonly SecretItem[], escrowed: ReadonlyMap<string, Uint8Array>): Promise<Pick<KeysReport, 'liveProbes' | 'escrowedProbes' | 'emergency'>> {
  const specs = [...presetProbes(ctx.app.preset ?? null), ...(ctx.app.probes ?? [])];
  const base = { databases: liveDatabases(databases, ctx.runner), tablePrefix: mauticPrefix(ctx.app.root), ...(ctx.app.root ? { fileRoots: [ctx.app.root] } : {}) };
  const liveProbes = await runProbes(specs, { ...base, keys: new Map(live.map((k) => [k.name, k.value])) });
  const escrowedProbes = escrowed.size ? await runProbes(specs, { ...base, keys: escrowed }) : [];
  const broken = liveProbes.filter((p) => p.verdict === 'failed' && p.key);
  if (broken.length === 0) return { liveProbes, escrowedProbes };
  const pathBack = escrowedProbes.some((p) => p.verdict === 'passed' && broken.some((b) => b.name === p.name));
  const emergency = `EMERGENCY: the live ${broken[0]!.key} does not open ${broken.map((p) => `${p.failed} of ${p.tried} values of ${p.name}`).join(', ')} in the live database; the app is running with the wrong key${pathBack ? `; the key escrowed in the latest snapshot opens them (lifeboat drill --app ${ctx.name} shows it): restore that key into the app` : ''}`;
  return { liveProbes, escrowedProbes, emergency };
}
