// The floor: what reading, hashing and copying the dataset costs without any backup tool.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from './log.js';
import type { Session } from './session.js';
import { measuredStep } from './session.js';
import { runChecked } from './run.js';
import { cleanEnv } from './tools.js';

const READ = 'tar cf - -C "$1" . | cat > /dev/null';
const HASH = 'find "$1" -type f -print0 | xargs -0 cat | openssl dgst -sha256 > /dev/null';

/** One unmeasured read so that every tool finds the dataset in the page cache. */
export function warmUp(s: Session, data: string): void {
  progress(`warm-up: reading ${data} once`);
  runChecked({ argv: ['bash', '-c', READ, 'bash', data], env: cleanEnv(), logFile: join(s.logDir, 'warm-up.log') });
}

export async function measureFloor(s: Session, round: number, data: string, roundDir: string): Promise<void> {
  const env = cleanEnv();
  await measuredStep(s, { round, subject: 'floor', phase: 'read', argv: ['bash', '-c', READ, 'bash', data], env });
  await measuredStep(s, { round, subject: 'floor', phase: 'sha256', argv: ['bash', '-c', HASH, 'bash', data], env });
  const copy = join(roundDir, 'floor-copy');
  await measuredStep(s, { round, subject: 'floor', phase: 'copy', argv: ['cp', '-r', data, copy], env });
  rmSync(copy, { recursive: true, force: true });
}

/** Just the read, for the many-files trees. */
export async function measureFloorRead(s: Session, round: number, data: string, phase: string): Promise<void> {
  await measuredStep(s, { round, subject: 'floor', phase, argv: ['bash', '-c', READ, 'bash', data], env: cleanEnv() });
}
