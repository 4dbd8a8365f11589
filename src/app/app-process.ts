import { nodeProcessRunner, type ProcessRunner } from '../sources/index.js';
import type { Environment } from './environment.js';

/** The child-process runner for database tools, with Lifeboat's environment as their base. */
export function processRunnerFor(env: Environment): ProcessRunner {
  return nodeProcessRunner({ env: env.env });
}
