import { runLocationStatus } from '../../app/index.js';
import type { Command } from '../command.js';
import { formatBytes } from '../common.js';
import { mirrorTargets } from '../locations-args.js';

export const locationsCommand: Command = {
  name: 'locations',
  summary: 'show each location: reachable, latest snapshot, how far behind, last check',
  usage: '--app NAME | -r URL -r URL...',
  options: { app: { type: 'string' } },
  async run({ values, env, out }) {
    const t = await mirrorTargets(values, env);
    const status = await runLocationStatus(t.locations, t.passwords[0]!, env, t.stateDir);
    if (!out.json) {
      for (const s of status) {
        out.line(`${s.name}${s.name === s.location ? '' : ` (${s.location})`}`);
        if (!s.reachable) {
          out.line(`  unreachable: ${s.error}`);
        } else {
          out.line(`  snapshots:  ${s.snapshots}${s.latest ? `, latest ${s.latest.id.slice(0, 8)} at ${s.latest.time}` : ''}`);
          out.line(`  behind:     ${s.snapshotsBehind === 0 && s.bytesBehind === 0 ? 'no' : `${s.snapshotsBehind} snapshot(s), ${formatBytes(s.bytesBehind)}; run "lifeboat sync"`}`);
        }
        if (s.behindSince) out.line(`  behind since ${s.behindSince.time}: ${s.behindSince.reason}`);
        out.line(`  last check: ${s.lastCheck ?? 'none recorded'}`);
      }
    }
    return { json: { locations: status } };
  },
};
