import { chmodSync, lchownSync, lutimesSync } from 'node:fs';
import { stModeFromFileMode, type GoTime, type Node } from '../model/index.js';

const PERM_AND_SPECIAL = 0o7777;

/**
 * The time for Node's utimes, which is microseconds at best: Node passes seconds as a
 * double to libuv, which truncates to whole microseconds (toward zero). A double near
 * today's epoch is only good to ~0.24 us, so the value aims at the middle of the wanted
 * microsecond (above it for positive times, below for negative ones, as truncation goes
 * toward zero); the result is the time floored to the microsecond. It is passed as a
 * numeric string because Node replaces a negative number (a time before 1970) with "now".
 */
export function utimesSeconds(t: GoTime): string {
  const ns = t.unixNs;
  const us = ns >= 0n ? ns / 1000n : -((-ns + 999n) / 1000n); // floor
  const half = us >= 0n ? 0.5e-6 : -0.5e-6;
  return String(Number(us) / 1e6 + half);
}

/**
 * Applies owner, mode and times to a restored entry, in that order: chown clears setuid
 * bits, and chmod after it restores them; times last since chmod/chown change ctime only.
 * Owners only when running as root, like restic.
 */
export function applyMetadata(path: Buffer, node: Node, asRoot: boolean): void {
  if (asRoot) lchownSync(path, node.uid, node.gid);
  if (node.type !== 'symlink') chmodSync(path, stModeFromFileMode(node.mode) & PERM_AND_SPECIAL);
  lutimesSync(path, utimesSeconds(node.atime), utimesSeconds(node.mtime));
}
