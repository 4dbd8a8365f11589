import { forgetApp, forgetSnapshots, loadConfig, openForRetention, type ForgetReport } from '../../app/index.js';
import type { Command, CommandContext } from '../command.js';
import { configLookup, needPositionals, repoOptions, str } from '../common.js';
import { describePrune } from './prune.js';
import { POLICY_OPTIONS, filterFromFlags, groupByFromFlags, maxUnusedFromFlags, policyFromFlags } from './retention-options.js';

export const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove snapshots by a retention policy (restic flags), optionally pruning',
  usage: '-r REPO [--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--keep-within D] [--keep-within-{hourly,daily,weekly,monthly,yearly} D] [--keep-tag T] [--host H] [--tag T] [--path P] [--group-by host,paths,tags] [--dry-run] [--prune [--max-unused N%]] | --app NAME [...]',
  options: { ...POLICY_OPTIONS, 'dry-run': { type: 'boolean', short: 'n' }, prune: { type: 'boolean' }, 'max-unused': { type: 'string' }, app: { type: 'string' } },
  async run({ positionals, values, env, out }) {
    // restic's `forget ID...` is not supported: refuse IDs rather than ignore them.
    needPositionals(positionals, 0, 0, `forget ${forgetCommand.usage}`);
    const maxUnused = maxUnusedFromFlags(values);
    const req = {
      policy: policyFromFlags(values),
      groupBy: groupByFromFlags(values),
      filter: filterFromFlags(values),
      dryRun: values['dry-run'] === true,
      ...(values['prune'] === true ? { prune: maxUnused ? { maxUnused } : {} } : {}),
    };
    const app = str(values, 'app');
    if (app !== undefined) {
      const { config } = loadConfig(configLookup(values, env));
      const results = await forgetApp(config, app, env, req);
      for (const r of results) {
        if (r.result) describeForget(r.result, out, `${r.location}: `);
        else if (!out.json) out.error(`lifeboat: ${r.error!.code}: location ${r.location}: ${r.error!.message}`);
      }
      return { json: { app, locations: results }, exitCode: results.every((r) => r.result) ? 0 : 1 };
    }
    const r = await openForRetention(repoOptions(values), env);
    try {
      const report = await forgetSnapshots(r, req);
      describeForget(report, out, '');
      // restic's --json is the list of groups; the prune result, when asked, rides along.
      return { json: report.prune ? { groups: report.groups, prune: report.prune } : report.groups };
    } finally {
      await r.repo.backend.close();
    }
  },
};

function describeForget(report: ForgetReport, out: CommandContext['out'], prefix: string): void {
  if (out.json || out.quiet) return;
  for (const g of report.groups) {
    const key = [g.host ? `host [${g.host}]` : '', g.paths ? `paths [${g.paths.join(', ')}]` : '', g.tags ? `tags [${g.tags.join(', ')}]` : ''].filter(Boolean).join(', ');
    out.line(`${prefix}snapshots${key ? ` for (${key})` : ''}: keep ${g.keep.length}, remove ${g.remove?.length ?? 0}`);
    g.reasons.forEach((r) => out.line(`${prefix}  keep   ${r.snapshot.short_id}  ${r.snapshot.time.slice(0, 19).replace('T', ' ')}  ${r.matches.join(', ')}`));
    for (const s of g.remove ?? []) out.line(`${prefix}  remove ${s.short_id}  ${s.time.slice(0, 19).replace('T', ' ')}`);
  }
  out.line(`${prefix}${report.dryRun ? 'would remove' : 'removed'} ${report.removed.length} snapshot${report.removed.length === 1 ? '' : 's'}`);
  if (report.prune) describePrune(report.prune, out, prefix);
}
