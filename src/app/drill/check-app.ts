import { availableParallelism } from 'node:os';
import { checkRepository, type CheckReport } from '../../verify/index.js';
import { recordCheck } from '../location-records.js';
import { appJournal, withLocation, type AppContext } from './app-context.js';

export interface LocationCheck {
  readonly location: string;
  readonly ok: boolean;
  readonly report?: CheckReport;
  readonly error?: string;
}

/** `lifeboat check --app NAME`: checks each location of the app on its own and records each in the journal (the guard reads them). */
export async function checkAppLocations(ctx: AppContext, opts: { readData?: boolean; location?: string }): Promise<LocationCheck[]> {
  const out: LocationCheck[] = [];
  const journal = appJournal(ctx);
  try {
    for (const l of ctx.locations.filter((x) => opts.location === undefined || x.name === opts.location)) {
      const started = ctx.clock.now();
      let result: LocationCheck;
      try {
        const report = await withLocation(ctx, l, async (repo) => {
          const r = await repo.withLock(true, () => checkRepository(repo, { readData: Boolean(opts.readData), workers: availableParallelism() }));
          // Also remembered for `lifeboat locations` (the last passed check of the location).
          if (r.ok) recordCheck(repo.backend.location, ctx.env, ctx.stateDir);
          return r;
        });
        result = { location: l.name, ok: report.ok, report };
      } catch (e) {
        result = { location: l.name, ok: false, error: (e as Error).message };
      }
      const summary = result.ok ? `check${opts.readData ? ' --read-data' : ''} passed` : `check FAILED: ${result.error ?? result.report?.errors[0]?.message ?? 'errors found'}`;
      journal.record({ kind: 'check', app: ctx.name, location: l.name, startedAt: started, durationMs: ctx.clock.now().getTime() - started.getTime(), ok: result.ok, summary });
      out.push(result);
    }
  } finally {
    journal.close();
  }
  return out;
}
