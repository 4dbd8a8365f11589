import { appContext, checkKeys, defaultAppDeps } from '../../app/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { configLookup, str } from '../common.js';

export const keysCommand: Command = {
  name: 'keys',
  summary: "compare an app's live keys with those escrowed in each location; exit 1 on any change",
  usage: '--app NAME [--backup-now] [--json]',
  options: { app: { type: 'string' }, 'backup-now': { type: 'boolean' } },
  async run({ values, env, out }) {
    const app = str(values, 'app');
    if (!app) throw new LifeboatError('INVALID_ARGUMENT', 'name the app: lifeboat keys --app NAME');
    const ctx = appContext(configLookup(values, env), app, defaultAppDeps(env));
    const r = await checkKeys(ctx, { backupNow: Boolean(values['backup-now']) });
    if (!out.json) {
      for (const k of r.keys) {
        for (const l of k.locations) {
          const what = l.state === 'matches' ? 'matches' : l.state === 'changed' ? `CHANGED since ${l.since}` : l.state === 'not-in-backup' ? 'not in any backup' : `unknown (${l.problem})`;
          out.line(`${k.name.padEnd(20)} ${l.location.padEnd(12)} ${what}${l.snapshot ? `  (snapshot ${l.snapshot.slice(0, 8)})` : ''}`);
        }
        if (k.locations.length === 0) out.line(`${k.name.padEnd(20)} not in any backup`);
      }
      for (const p of r.liveProbes.filter((x) => x.verdict !== 'no-samples')) out.line(`live data: ${p.name}: ${p.key ?? 'no key'} opens ${p.opened} of ${p.tried}`);
      if (r.emergency) out.error(r.emergency);
      for (const p of r.problems) out.error(`problem: ${p}`);
      if (r.backup) out.line('snapshot' in r.backup ? `backup made: snapshot ${r.backup.snapshot.slice(0, 8)}` : `backup FAILED: ${r.backup.error}`);
      // After --backup-now the mismatch above is what was found; say where the keys are now.
      const saved = r.backup && 'snapshot' in r.backup ? r.backup.snapshot.slice(0, 8) : undefined;
      out.line(r.ok ? 'every key matches its backups' : saved ? `keys did NOT match their backups; now escrowed in snapshot ${saved}: prove it with "lifeboat drill --app ${app}"` : 'keys do NOT match their backups');
    }
    return { json: r, exitCode: r.ok ? 0 : 1 };
  },
};
