import { nodeProcessRunner, type ProcessRunner } from '../sources/index.js';
import type { Environment } from './environment.js';

/**
 * The child-process runner for database tools, with Lifeboat's environment as their base,
 * minus the repository settings and passwords (LIFEBOAT_*, RESTIC_*): a dump tool has no
 * business with them.
 */
export function processRunnerFor(env: Environment): ProcessRunner {
  const base: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env.env)) if (!k.startsWith('LIFEBOAT_') && !k.startsWith('RESTIC_')) base[k] = v;
  return nodeProcessRunner({ env: base });
}
