import { initRepository, runInitLocations } from '../../app/index.js';
import type { Command } from '../command.js';
import { hasConfig, repoOptions } from '../common.js';
import { initAppMode } from './app-mode.js';
import { isMirrored, mirrorTargets } from '../locations-args.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a new repository (restic format v2); with several locations, one repository mirrored in each',
  usage: '-r REPO [-r REPO...] | --app NAME [-c FILE] (or every app of lifeboat.yaml when no repository is given)',
  options: { app: { type: 'string' } },
  async run(ctx) {
    const repoGiven = ctx.values['repo'] !== undefined || ctx.env.env['LIFEBOAT_REPOSITORY'] !== undefined || ctx.env.env['RESTIC_REPOSITORY'] !== undefined;
    if (ctx.values['app'] !== undefined || (!repoGiven && hasConfig(ctx.values, ctx.env))) return initAppMode(ctx);
    const { values, env, out } = ctx;
    if (isMirrored(values)) {
      const t = await mirrorTargets(values, env);
      const r = await runInitLocations(t.locations, t.passwords, env);
      if (!out.json) {
        for (const l of r.locations) out.line(`${l.status === 'created' ? 'created' : l.status === 'adopted' ? 'adopted existing' : 'already there:'} repository ${r.repo.config.id.slice(0, 10)} at ${l.location}`);
        if (r.locations.some((l) => l.status === 'adopted')) out.line('\nRun "lifeboat sync" to copy the adopted repository\'s snapshots to the new locations.');
        out.line('\nKeep the password safe: without it the data cannot be read back.');
      }
      return { json: { id: r.repo.config.id, version: r.repo.config.version, locations: r.locations } };
    }
    const repo = await initRepository(repoOptions(values), env);
    if (!out.json) out.line(`created lifeboat repository ${repo.config.id.slice(0, 10)} at ${repo.backend.location}\n\nKeep the password safe: without it the data cannot be read back.`);
    await repo.backend.close();
    return { json: { id: repo.config.id, repository: repo.backend.location, version: repo.config.version } };
  },
};
