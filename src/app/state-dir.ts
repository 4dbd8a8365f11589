import { join } from 'node:path';
import type { Environment } from './environment.js';

/**
 * Where Lifeboat keeps its own state (the journal, drill scratch space): LIFEBOAT_STATE_DIR,
 * else the config's `state_dir`, else /var/lib/lifeboat for root (as a system service would),
 * else the XDG state directory of the user. The locations' records (locations.json) live here too.
 * The journal in it is opened by state-journal.ts: `check -r` records here without loading it.
 */
export function stateDirFor(env: Environment, configured?: string): string {
  const fromEnv = env.env['LIFEBOAT_STATE_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (configured !== undefined && configured !== '') return configured;
  if (env.uid === 0) return '/var/lib/lifeboat';
  const xdg = env.env['XDG_STATE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'lifeboat');
  return join(env.env['HOME'] ?? `/home/${env.username}`, '.local', 'state', 'lifeboat');
}
