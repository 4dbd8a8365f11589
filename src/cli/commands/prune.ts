import { loadConfig, openForRetention, pruneApp, pruneWithLock, type PruneReport } from '../../app/index.js';
import type { Command, CommandContext } from '../command.js';
import { configLookup, needPositionals, formatBytes, repoOptions, str } from '../common.js';
import { maxUnusedFromFlags } from './retention-options.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'delete data no snapshot needs, repacking partly used packs',
  usage: '-r REPO [--dry-run] [--max-unused N%|BYTES|unlimited] | --app NAME [...]',
  options: { 'dry-run': { type: 'boolean', short: 'n' }, 'max-unused': { type: 'string' }, app: { type: 'string' } },
  async run({ positionals, values, env, out }) {
    // restic's `forget ID...` is not supported: refuse IDs rather than ignore them.
    needPositionals(positionals, 0, 0, `prune ${pruneCommand.usage}`);
    const maxUnused = maxUnusedFromFlags(values);
    const opts = { dryRun: values['dry-run'] === true, ...(maxUnused ? { maxUnused } : {}) };
    const app = str(values, 'app');
    if (app !== undefined) {
      const { config } = loadConfig(configLookup(values, env));
      const results = await pruneApp(config, app, env, opts);
      for (const r of results) {
        if (r.result) describePrune(r.result, out, `${r.location}: `);
        else if (!out.json) out.error(`lifeboat: ${r.error!.code}: location ${r.location}: ${r.error!.message}`);
      }
      return { json: { app, locations: results }, exitCode: results.every((r) => r.result) ? 0 : 1 };
    }
    const r = await openForRetention(repoOptions(values), env);
    try {
      const report = await pruneWithLock(r, opts);
      describePrune(report, out, '');
      return { json: report };
    } finally {
      await r.repo.backend.close();
    }
  },
};

export function describePrune(p: PruneReport, out: CommandContext['out'], prefix: string): void {
  if (out.json || out.quiet) return;
  const s = p.stats;
  out.line(`${prefix}used: ${s.usedBlobs} blobs, ${formatBytes(s.usedBytes)}; unused: ${formatBytes(s.unusedBytes)}`);
  out.line(`${prefix}packs: keep ${p.packs.keep}, repack ${p.packs.repack} (${s.repackBlobs} blobs, ${formatBytes(s.repackBytes)}), delete ${p.packs.remove}, unreferenced ${p.packs.unreferenced}${p.packs.missing ? `, missing ${p.packs.missing}` : ''}`);
  out.line(`${prefix}${p.dryRun ? 'would free' : 'freed'} ${formatBytes(s.deletedBytes)}; unused after: ${formatBytes(s.unusedAfter)}`);
}
