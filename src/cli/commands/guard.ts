import { appContext, appSourceSpecs, defaultAppDeps, guardApp } from '../../app/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { configLookup, str } from '../common.js';

export const guardCommand: Command = {
  name: 'guard',
  summary: 'preflight for deploys: exit 0 only if fresh, copied, complete, key-matching, drilled and checked backups exist',
  usage: '--app NAME [--fresh] [--json]',
  options: { app: { type: 'string' }, fresh: { type: 'boolean' } },
  async run({ values, env, out }) {
    const app = str(values, 'app');
    if (!app) throw new LifeboatError('INVALID_ARGUMENT', 'name the app: lifeboat guard --app NAME');
    const ctx = appContext(configLookup(values, env), app, defaultAppDeps(env));
    const r = await guardApp(ctx, { fresh: Boolean(values['fresh']), ...(ctx.app.guard ? { thresholds: ctx.app.guard } : {}) }, appSourceSpecs);
    if (!out.json) {
      if (r.fresh?.error) out.error(`--fresh: ${r.fresh.error}`);
      for (const rule of r.rules) if (!rule.ok) out.line(`BROKEN ${rule.rule}: ${rule.reason}`);
      if (r.ok) out.line(`guard: ok (${r.rules.map((x) => x.rule).join(', ')})`);
    }
    return { json: r, exitCode: r.ok ? 0 : 1 };
  },
};
