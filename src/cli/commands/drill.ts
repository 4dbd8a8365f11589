import { appSourceSpecs, defaultAppDeps, drillApp, type DrillReport } from '../../app/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { configLookup, formatBytes, formatDuration, str } from '../common.js';
import type { Output } from '../output.js';

function print(out: Output, r: DrillReport): void {
  out.line(`drill of ${r.app} from ${r.location}, snapshot ${r.snapshot.slice(0, 8)} of ${r.snapshotTime}`);
  if (r.swept.databases.length + r.swept.directories.length > 0) out.line(`  removed leftovers of interrupted drills: ${[...r.swept.databases, ...r.swept.directories].join(', ')}`);
  for (const p of r.swept.problems) out.error(`warning: ${p}`);
  out.line(`  files      ${r.files.files} restored, ${formatBytes(r.files.bytes)}, ${r.files.mismatchCount === 0 ? 'all match the snapshot' : `${r.files.mismatchCount} DIFFER`}`);
  for (const d of r.databases) {
    out.line(`  database   ${d.id}: ${d.ok ? `${d.tables} tables, row counts match` : d.error ? `FAILED: ${d.error}` : `${d.mismatched.length} table(s) DIFFER`} (${formatDuration(d.durationMs)})${d.scratch ? ` kept as ${d.scratch}` : ''}`);
  }
  out.line(`  keys       ${r.keys.escrowed.length ? r.keys.escrowed.join(', ') : 'none'} escrowed${r.keys.missing.length ? `; MISSING: ${r.keys.missing.join(', ')}` : ''}`);
  for (const p of r.probes) {
    const what = p.verdict === 'no-samples' ? `no samples${p.note ? ` (${p.note})` : ''}` : `${p.key ?? 'no key'} opens ${p.opened} of ${p.tried}${p.verdict === 'failed' ? ' FAILED' : ''}`;
    out.line(`  probe      ${p.name}: ${what}`);
  }
  if (!r.keysProven) out.line('  keys       present but NOT proven: no encrypted value to try them on (add a probe to the config)');
  out.line(`  recovery time ${formatDuration(r.recoveryTimeMs)} (files and databases restored)`);
  if (r.kept) out.line(`  kept: ${r.kept.directory}${r.kept.databases.length ? `, databases ${r.kept.databases.join(', ')}` : ''} (the next drill removes them)`);
  for (const p of r.problems) out.line(`  problem: ${p}`);
  out.line(r.ok ? 'drill passed' : `drill FAILED (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})`);
}

export const drillCommand: Command = {
  name: 'drill',
  summary: "restore an app's snapshot into scratch space and prove it: files, databases, keys",
  usage: '--app NAME [--location L] [--snapshot ID|latest] [--keep] [--json]',
  options: { app: { type: 'string' }, location: { type: 'string' }, snapshot: { type: 'string' }, keep: { type: 'boolean' } },
  async run({ values, env, out }) {
    const app = str(values, 'app');
    if (!app) throw new LifeboatError('INVALID_ARGUMENT', 'name the app to drill: lifeboat drill --app NAME');
    const location = str(values, 'location');
    const snapshot = str(values, 'snapshot');
    const report = await drillApp(configLookup(values, env), { app, ...(location ? { location } : {}), ...(snapshot ? { snapshot } : {}), keep: Boolean(values['keep']) }, defaultAppDeps(env), appSourceSpecs);
    if (!out.json) print(out, report);
    return { json: report, exitCode: report.ok ? 0 : 1 };
  },
};
