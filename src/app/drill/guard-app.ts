import { isLifeboatError } from '../../errors/index.js';
import { presetKeys } from '../../apps/probes/index.js';
import { DEFAULT_GUARD_THRESHOLDS, judgeGuard, type DrillFact, type GuardFacts, type GuardThresholds, type GuardVerdict, type KeyFingerprint, type LocationFacts } from '../../policy/index.js';
import { keyFingerprint, planSecrets, type SecretsSpec } from '../../sources/index.js';
import type { Repository } from '../../repo/index.js';
import { findAppSnapshot, appTag } from '../app-snapshots.js';
import { resolveAppSources } from '../app-sources.js';
import { runAppBackup } from '../app-backup.js';
import { recordAppBackup } from './record-backup.js';
import { appJournal, databaseNameOf, withLocation, type AppContext } from './app-context.js';
import { drillInContext, type SourcesOf } from './drill-app.js';
import type { DrillReport } from './drill-report.js';
import { appSnapshotInfo } from './snapshot-facts.js';
import { LocationRecords } from '../location-records.js';

export interface GuardReport extends GuardVerdict {
  readonly app: string;
  readonly thresholds: GuardThresholds;
  /** With --fresh: the backup and the drill made first. */
  readonly fresh?: { readonly snapshot?: string; readonly drillOk?: boolean; readonly error?: string };
}

/** How many snapshots back to look for when the live keys first appeared. */
const KEY_HISTORY = 50;

async function lastKeyChange(repo: Repository, app: string, live: readonly KeyFingerprint[]): Promise<Date | undefined> {
  const snaps = (await repo.listSnapshots()).filter((s) => s.snapshot.tags?.includes(appTag(app))).sort((a, b) => Number(b.snapshot.time.unixNs - a.snapshot.time.unixNs)).slice(0, KEY_HISTORY);
  let oldestMatching: Date | undefined;
  for (const s of snaps) {
    const info = await appSnapshotInfo(repo, s);
    const same = live.every((k) => info.facts.keys.some((e) => e.name === k.name && e.fingerprint === k.fingerprint));
    if (!same) break;
    oldestMatching = info.facts.time;
  }
  if (oldestMatching) return oldestMatching;
  // The live keys are in no recent snapshot: they changed after the latest one.
  return snaps[0] ? new Date(Number(snaps[0].snapshot.time.unixNs / 1_000_000n) + 1) : undefined;
}

/** Gathers the facts from every location, the live app and the journal. */
export async function guardFacts(ctx: AppContext): Promise<GuardFacts> {
  const { specs } = resolveAppSources(ctx.name, ctx.app, ctx.env);
  let liveItems: { name: string; value: Uint8Array }[] | undefined;
  let liveKeysProblem: string | undefined;
  try {
    liveItems = planSecrets(specs.filter((s): s is SecretsSpec => s.kind === 'secrets')).items.map((i) => ({ name: i.name, value: i.value }));
  } catch (e) {
    liveKeysProblem = (e as Error).message;
  }
  const journal = appJournal(ctx);
  const records = LocationRecords.load(LocationRecords.stateDir(ctx.env, ctx.stateDir));
  const locations: LocationFacts[] = [];
  let liveKeys: KeyFingerprint[] | undefined;
  let keyChange: Date | undefined;
  try {
    for (const l of ctx.locations) {
      const check = journal.runs({ app: ctx.name, kind: 'check', location: l.name, limit: 1 })[0];
      let lastCheck: Pick<LocationFacts, 'lastCheck'> = check ? { lastCheck: { at: check.startedAt, ok: check.ok } } : {};
      try {
        await withLocation(ctx, l, async (repo) => {
          // Without a journal entry, the locations' own record of the last passed check will do.
          const passed = check ? undefined : records.get(repo.backend.location)?.lastCheck;
          if (passed && !Number.isNaN(Date.parse(passed))) lastCheck = { lastCheck: { at: new Date(passed), ok: true } };
          await repo.loadIndex();
          if (liveItems && !liveKeys) {
            liveKeys = liveItems.map((i) => ({ name: i.name, fingerprint: keyFingerprint(repo.key.encrypt, i.value) }));
            keyChange = await lastKeyChange(repo, ctx.name, liveKeys);
          }
          let latest;
          try {
            latest = (await appSnapshotInfo(repo, await findAppSnapshot(repo, ctx.name, 'latest'))).facts;
          } catch (e) {
            if (!isLifeboatError(e, 'SNAPSHOT_NOT_FOUND')) throw e;
          }
          locations.push({ name: l.name, ...(latest ? { latest } : {}), ...lastCheck });
        });
      } catch (e) {
        locations.push({ name: l.name, problem: (e as Error).message, ...lastCheck });
      }
    }
    const drills: DrillFact[] = journal.runs({ app: ctx.name, kind: 'drill', limit: 200 }).flatMap((r) => {
      const d = r.details as Partial<DrillReport> | undefined;
      if (!d || typeof d.snapshotTime !== 'string' || typeof d.snapshot !== 'string') return [];
      return [{ at: r.startedAt, location: r.location ?? '', snapshot: d.snapshot, snapshotTime: new Date(d.snapshotTime), ok: r.ok }];
    });
    const declaredDbs = specs.flatMap((s) => {
      const name = s.kind === 'postgres' || s.kind === 'mysql' ? databaseNameOf(s) : undefined;
      return name && (s.kind === 'postgres' || s.kind === 'mysql') ? [`${s.kind}/${name}`] : [];
    });
    const declaredSecrets = [...new Set([...(liveItems ?? []).map((i) => i.name), ...presetKeys(ctx.app.preset ?? null)])];
    return {
      now: ctx.clock.now(),
      app: ctx.name,
      declared: { databases: declaredDbs, secrets: declaredSecrets },
      locations,
      ...(liveKeys ? { liveKeys } : { liveKeysProblem: liveKeysProblem ?? 'no location could be opened to compare them with' }),
      drills,
      ...(keyChange ? { lastKeyChange: keyChange } : {}),
    };
  } finally {
    journal.close();
  }
}

/** `lifeboat guard --app NAME [--fresh]`: the verdict a deploy pipeline waits for, recorded in the journal. */
export async function guardApp(ctx: AppContext, opts: { fresh?: boolean; thresholds?: Partial<GuardThresholds> }, sourcesOf: SourcesOf): Promise<GuardReport> {
  const started = ctx.clock.now();
  const thresholds = { ...DEFAULT_GUARD_THRESHOLDS, ...opts.thresholds };
  let fresh: GuardReport['fresh'];
  if (opts.fresh) {
    try {
      const t0 = ctx.clock.now();
      const b = await runAppBackup(ctx.config, ctx.name, ctx.env, { runner: ctx.runner });
      recordAppBackup(ctx.config, ctx.name, ctx.env, ctx.clock, t0, { result: b });
      const d = await drillInContext(ctx, { app: ctx.name, snapshot: b.snapshotId }, sourcesOf);
      fresh = { snapshot: b.snapshotId, drillOk: d.ok };
    } catch (e) {
      fresh = { error: (e as Error).message };
    }
  }
  const verdict = judgeGuard(await guardFacts(ctx), thresholds);
  const report: GuardReport = { app: ctx.name, thresholds, ...verdict, ...(fresh ? { fresh } : {}) };
  const journal = appJournal(ctx);
  const broken = verdict.rules.filter((r) => !r.ok);
  journal.record({ kind: 'guard', app: ctx.name, startedAt: started, durationMs: ctx.clock.now().getTime() - started.getTime(), ok: verdict.ok, summary: verdict.ok ? 'every rule holds' : `refused: ${broken.map((r) => r.rule).join(', ')}`, details: report });
  journal.close();
  return report;
}
