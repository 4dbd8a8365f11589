import { runSyncLocations } from '../../app/index.js';
import { exitCodeFor } from '../../errors/index.js';
import type { Command } from '../command.js';
import { formatBytes } from '../common.js';
import { mirrorTargets } from '../locations-args.js';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'copy to each location what another one has and it lacks (packs and index first, snapshots last)',
  usage: '--app NAME | -r URL -r URL...',
  options: { app: { type: 'string' } },
  async run({ values, env, out }) {
    const t = await mirrorTargets(values, env);
    const report = await runSyncLocations(t.locations, t.passwords[0]!, env, t.stateDir);
    if (!out.json) {
      for (const d of report.damaged ?? []) out.error(`warning: ${d.type} ${d.name.slice(0, 8)} at ${d.location} was damaged (content does not match its name)${report.locations.find((l) => l.name === d.location)?.complete ? '; replaced by a verified copy' : ''}`);
      for (const l of report.locations) {
        const what = l.reachable ? `${l.filesCopied} file(s), ${formatBytes(l.bytesCopied)} copied, ${l.snapshotsCopied} snapshot(s) added` : 'unreachable';
        out.line(`${l.name}: ${l.complete ? 'up to date' : 'BEHIND'} (${what})${l.error ? `: ${l.error}` : ''}`);
      }
    }
    const behind = report.locations.filter((l) => !l.complete);
    return { json: report, exitCode: behind.length === 0 ? 0 : exitCodeFor('LOCATIONS_BEHIND') };
  },
};
