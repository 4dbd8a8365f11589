import { join } from 'node:path';
import type { Clock } from '../lib/index.js';
import { JOURNAL_FILE, openJournal, type Journal } from '../journal/index.js';
import { isLifeboatError } from '../errors/index.js';
import { loadConfig, type ConfigLookup } from './config/load-config.js';
import type { Environment } from './environment.js';

/**
 * Where Lifeboat keeps its own state (the journal, drill scratch space): LIFEBOAT_STATE_DIR,
 * else the config's `state_dir`, else /var/lib/lifeboat for root (as a system service would),
 * else the XDG state directory of the user. The locations' records (locations.json) live here too.
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

export function openStateJournal(env: Environment, clock: Clock, configured?: string): Journal {
  return openJournal(join(stateDirFor(env, configured), JOURNAL_FILE), clock);
}

/**
 * The journal of the configuration `lookup` finds (its state_dir), or of the default state
 * directory when there is no configuration: `history` works with or without one.
 */
export function openLookupJournal(lookup: ConfigLookup, env: Environment, clock: Clock): Journal {
  let configured: string | undefined;
  try {
    configured = loadConfig(lookup).config.stateDir;
  } catch (e) {
    if (!isLifeboatError(e, 'CONFIG_NOT_FOUND')) throw e;
  }
  return openStateJournal(env, clock, configured);
}
