import { chmodSync, lchownSync, lutimesSync } from 'node:fs';
import { stModeFromFileMode, type GoTime, type Node } from '../model/index.js';

const PERM_AND_SPECIAL = 0o7777;

/** Seconds as a double: libuv turns it back into a timespec (sub-microsecond digits are lost). */
function seconds(t: GoTime): number {
  const sec = t.unixNs / 1_000_000_000n;
  const ns = t.unixNs - sec * 1_000_000_000n;
  return Number(sec) + Number(ns) / 1e9;
}

/**
 * Applies owner, mode and times to a restored entry, in that order: chown clears setuid
 * bits, and chmod after it restores them; times last since chmod/chown change ctime only.
 * Owners only when running as root, like restic.
 */
export function applyMetadata(path: Buffer, node: Node, asRoot: boolean): void {
  if (asRoot) lchownSync(path, node.uid, node.gid);
  if (node.type !== 'symlink') chmodSync(path, stModeFromFileMode(node.mode) & PERM_AND_SPECIAL);
  lutimesSync(path, seconds(node.atime), seconds(node.mtime));
}
