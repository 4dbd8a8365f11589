import { openRepository, unlockRepository } from '../../app/index.js';
import type { Command } from '../command.js';
import { repoOptions } from '../common.js';

export const unlockCommand: Command = {
  name: 'unlock',
  summary: 'remove stale locks (all locks with --remove-all)',
  usage: '-r REPO [--remove-all]',
  options: { 'remove-all': { type: 'boolean' } },
  async run({ values, env, out }) {
    const repo = await openRepository(repoOptions(values), env);
    const r = await unlockRepository(repo, Boolean(values['remove-all']));
    if (!out.json) {
      for (const l of r.removed) out.line(`removed ${l.description}`);
      for (const l of r.kept) out.line(`kept ${l.description} (not stale; use --remove-all to remove it anyway)`);
      if (r.removed.length === 0 && r.kept.length === 0) out.line('no locks found');
    }
    return { json: r };
  },
};
