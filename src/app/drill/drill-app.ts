import type { SourceSpec, DatabaseSpec } from '../../sources/index.js';
import { appContext, appJournal, pickLocation, scratchServers, withLocation, type AppContext, type AppDeps } from './app-context.js';
import type { ConfigLookup } from '../config/load-config.js';
import type { DrillReport } from './drill-report.js';
import { runDrill } from './run-drill.js';

export interface DrillRequest {
  readonly app: string;
  readonly location?: string;
  readonly snapshot?: string;
  readonly keep?: boolean;
}

/** The app's sources (config and preset merged); injected until one resolver serves every command. */
export type SourcesOf = (ctx: AppContext) => readonly SourceSpec[];

/** `lifeboat drill --app NAME`: runs the drill on one location and records it in the journal. */
export async function drillApp(lookup: ConfigLookup, req: DrillRequest, deps: AppDeps, sourcesOf: SourcesOf): Promise<DrillReport> {
  const ctx = appContext(lookup, req.app, deps);
  return drillInContext(ctx, req, sourcesOf);
}

export async function drillInContext(ctx: AppContext, req: DrillRequest, sourcesOf: SourcesOf): Promise<DrillReport> {
  const location = pickLocation(ctx, req.location);
  const started = ctx.clock.now();
  const journal = appJournal(ctx);
  try {
    const databases = sourcesOf(ctx).filter((s): s is DatabaseSpec => s.kind === 'postgres' || s.kind === 'mysql');
    const report = await withLocation(ctx, location, (repo) => runDrill({
      app: ctx.name,
      location: location.name,
      repo,
      snapshot: req.snapshot ?? 'latest',
      keep: req.keep ?? false,
      stateDir: ctx.stateDir,
      prefix: ctx.scratchPrefix,
      servers: scratchServers(databases),
      ...(ctx.app.probes ? { extraProbes: ctx.app.probes } : {}),
      runner: ctx.runner,
      clock: ctx.clock,
      env: ctx.env,
    }));
    const summary = report.ok
      ? `drill passed: ${report.files.files} files, ${report.databases.length} database(s), ${report.probes.filter((p) => p.verdict === 'passed').length} key probe(s) passed`
      : `drill FAILED: ${report.problems[0]}`;
    journal.record({ kind: 'drill', app: ctx.name, location: location.name, snapshot: report.snapshot, startedAt: started, durationMs: report.durationMs, ok: report.ok, summary, details: report });
    return report;
  } catch (e) {
    journal.record({ kind: 'drill', app: ctx.name, location: location.name, startedAt: started, durationMs: ctx.clock.now().getTime() - started.getTime(), ok: false, summary: `drill could not run: ${(e as Error).message}` });
    throw e;
  } finally {
    journal.close();
  }
}
