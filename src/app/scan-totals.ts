import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PathPattern } from '../lib/path-pattern.js';

export interface Totals {
  files: number;
  bytes: number;
  done: boolean;
}

/**
 * Counts files and bytes under the backup paths, concurrently with the backup itself, so
 * progress can show an ETA. Uses the promise API so it runs between the archiver's steps.
 */
export function scanTotals(paths: readonly string[], excludes: readonly string[], signal: { stopped: boolean }): Totals {
  const totals: Totals = { files: 0, bytes: 0, done: false };
  const exclude = new PathPattern(excludes);
  const visit = async (p: string): Promise<void> => {
    if (signal.stopped || (!exclude.empty && exclude.matches(p))) return;
    const st = await lstat(p).catch(() => undefined);
    if (!st) return;
    if (st.isFile()) {
      totals.files++;
      totals.bytes += st.size;
    } else if (st.isDirectory()) {
      const names = await readdir(p).catch(() => [] as string[]);
      for (const n of names) await visit(join(p, n));
    }
  };
  void (async () => {
    for (const p of paths) await visit(p);
    totals.done = true;
  })();
  return totals;
}
