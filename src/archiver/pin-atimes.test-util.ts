// Test-only: keeps a tree's access times from moving while tests back it up several times.
import { lstatSync, lutimesSync, readdirSync } from 'node:fs';

/**
 * Sets the access time of `dir` and everything below it (symlinks too) a day ahead, keeping mtimes. Reading
 * a file or directory updates its atime while it is not after its ctime (relatime), and ctime
 * has the file system's coarse clock: two backups of a fresh tree could otherwise record
 * different atimes, and so different trees.
 */
export function pinAtimes(dir: string | Buffer): void {
  const later = new Date(Date.now() + 24 * 3600 * 1000);
  const visit = (p: Buffer) => {
    const st = lstatSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p, { encoding: 'buffer' })) visit(Buffer.concat([p, Buffer.from('/'), name]));
    lutimesSync(p, later, st.mtime); // a symlink's own times: reading its target moves its atime too
  };
  visit(Buffer.from(dir));
}
