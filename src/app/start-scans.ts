import { isAbsolute, resolve } from 'node:path';
import { walkedTargets } from '../archiver/target-tree.js';
import { ScanAhead } from '../lib/scan-ahead.js';
import type { BackupOptions } from './backup.js';
import type { Environment } from './environment.js';

// Named modules, not the barrels: `backup` starts the scans before it opens the repository and
// loads the rest of what it runs (see cli/commands/backup.ts).

/** The absolute paths a backup of `opts` archives (for stdin, the file's path in the snapshot). */
export function backupPaths(opts: Pick<BackupOptions, 'paths' | 'stdin'>, env: Pick<Environment, 'cwd'>): string[] {
  if (opts.stdin) return ['/' + opts.stdin.filename];
  return opts.paths.map((p) => (isAbsolute(p) ? resolve(p) : resolve(env.cwd, p)));
}

/**
 * Starts scanning the directories a backup of `opts` walks, on a thread of their own (see
 * ScanAhead); undefined for stdin or without the native helper. Started before the repository
 * is opened, the scans run while the key's scrypt does, on the core the main thread leaves idle.
 */
export function startScans(opts: Pick<BackupOptions, 'paths' | 'stdin'>, env: Pick<Environment, 'cwd'>): ScanAhead | undefined {
  if (opts.stdin) return undefined;
  return ScanAhead.start(walkedTargets(backupPaths(opts, env)).map((p) => Buffer.from(p)));
}
