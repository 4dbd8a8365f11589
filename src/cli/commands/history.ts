import { openLookupJournal, readHistory } from '../../app/index.js';
import { systemClock } from '../../lib/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { configLookup, formatDuration, str } from '../common.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'list recorded runs (backups, checks, drills, key checks, guard verdicts), newest first',
  usage: '[-c FILE] [--app NAME] [--kind backup|check|drill|keys|guard] [--limit N] [--json]',
  options: { app: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' } },
  async run({ values, env, out }) {
    const limitText = str(values, 'limit');
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new LifeboatError('INVALID_ARGUMENT', `--limit must be a positive whole number, got "${limitText}"`);
    const app = str(values, 'app');
    const kind = str(values, 'kind');
    const journal = openLookupJournal(configLookup(values, env), env, systemClock);
    try {
      const h = readHistory(journal, { ...(app === undefined ? {} : { app }), ...(kind === undefined ? {} : { kind }), ...(limit === undefined ? {} : { limit }) });
      if (!out.json) {
        if (h.problem) out.error(`warning: ${h.problem}`);
        if (h.runs.length === 0) out.line(`no runs recorded in ${h.journal}`);
        for (const r of h.runs) {
          const where = [r.app, r.location, r.snapshot?.slice(0, 8)].filter((x) => x !== undefined).join(' ');
          out.line(`${r.startedAt.toISOString()}  ${r.kind.padEnd(6)} ${r.ok ? 'ok    ' : 'FAILED'} ${formatDuration(r.durationMs).padStart(7)}  ${where}  ${r.summary}`);
        }
      }
      return { json: h };
    } finally {
      journal.close();
    }
  },
};
