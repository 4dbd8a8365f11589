import { join } from 'node:path';
import type { Clock } from '../lib/index.js';
import { JOURNAL_FILE, openJournal, type Journal } from '../journal/index.js';
import { isLifeboatError } from '../errors/index.js';
import { loadConfig, type ConfigLookup } from './config/load-config.js';
import type { Environment } from './environment.js';
import { stateDirFor } from './state-dir.js';

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
