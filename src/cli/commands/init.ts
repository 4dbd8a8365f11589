import { initRepository } from '../../app/index.js';
import type { Command } from '../command.js';
import { hasConfig, repoOptions } from '../common.js';
import { initAppMode } from './app-mode.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a new repository (restic format v2)',
  usage: '-r REPO | --app NAME [-c FILE] (or every app of lifeboat.yaml when no repository is given)',
  options: { app: { type: 'string' } },
  async run(ctx) {
    const repoGiven = ctx.values['repo'] !== undefined || ctx.env.env['LIFEBOAT_REPOSITORY'] !== undefined || ctx.env.env['RESTIC_REPOSITORY'] !== undefined;
    if (ctx.values['app'] !== undefined || (!repoGiven && hasConfig(ctx.values, ctx.env))) return initAppMode(ctx);
    const { values, env, out } = ctx;
    const repo = await initRepository(repoOptions(values), env);
    if (!out.json) out.line(`created lifeboat repository ${repo.config.id.slice(0, 10)} at ${repo.backend.location}\n\nKeep the password safe: without it the data cannot be read back.`);
    return { json: { id: repo.config.id, repository: repo.backend.location, version: repo.config.version } };
  },
};
