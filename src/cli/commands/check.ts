import { availableParallelism } from 'node:os';
// The modules a plain `check -r` runs, not app/index.js (all of app/); --app loads it.
import { checkRepository } from '../../app/check.js';
import { recordCheck } from '../../app/location-records.js';
import { openRepository } from '../../app/repo-access.js';
import type { Command } from '../command.js';
import { configLookup, repoOptions, str } from '../common.js';
import { ProgressLine } from '../progress.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'verify the repository: structure, and with --read-data every byte',
  usage: '-r REPO [--read-data | --read-data-subset N% | N/M] | --app NAME [--location L] [--read-data]',
  options: { 'read-data': { type: 'boolean' }, 'read-data-subset': { type: 'string' }, app: { type: 'string' }, location: { type: 'string' } },
  async run({ values, env, out }) {
    const app = str(values, 'app');
    if (app !== undefined) {
      // Each location on its own, each recorded in the journal: the guard wants every one checked.
      const location = str(values, 'location');
      const { appContext, checkAppLocations, defaultAppDeps } = await import('../../app/index.js');
      const results = await checkAppLocations(appContext(configLookup(values, env), app, defaultAppDeps(env)), { readData: Boolean(values['read-data']), ...(location ? { location } : {}) });
      if (!out.json) for (const r of results) out.line(`${r.location}: ${r.ok ? 'no errors were found' : `FAILED: ${r.error ?? r.report?.errors.map((e) => e.message).join('; ')}`}`);
      return { json: { app, locations: results }, exitCode: results.every((r) => r.ok) ? 0 : 1 };
    }
    const repo = await openRepository(repoOptions(values), env);
    const progress = new ProgressLine(out);
    const subset = str(values, 'read-data-subset');
    const report = await repo.withLock(true, () =>
      checkRepository(repo, {
        readData: Boolean(values['read-data']),
        workers: availableParallelism(),
        ...(subset ? { readDataSubset: subset } : {}),
        reporter: { progress: (done, total, phase) => progress.update(() => `${phase}: ${done}/${total}`) },
      }),
    );
    if (!out.json) {
      for (const h of report.hints) out.line(`hint: ${h}`);
      for (const e of report.errors) {
        out.line(`error: ${e.message}`);
        for (const a of e.affected ?? []) out.line(`  snapshot ${a.snapshot.slice(0, 8)}: ${a.paths.slice(0, 20).join(', ')}${a.paths.length > 20 ? ` and ${a.paths.length - 20} more` : ''}`);
      }
      out.line(report.ok ? 'no errors were found' : `Fatal: repository contains errors (${report.errors.length})`);
    }
    // Remembered for `lifeboat locations` (last successful check of this location).
    if (report.ok) recordCheck(repo.backend.location, env);
    await repo.backend.close();
    return { json: report, exitCode: report.ok ? 0 : 1 };
  },
};
