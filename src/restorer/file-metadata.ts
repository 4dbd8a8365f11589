import { chmodSync, lchownSync } from 'node:fs';
import { setTimesNs, setXattr, timespecFromNs } from '../lib/fs-native.js';
import { stModeFromFileMode, type Node } from '../model/index.js';

const PERM_AND_SPECIAL = 0o7777;

/**
 * Applies owner, mode, extended attributes and times to a restored entry, in that order:
 * chown clears setuid bits, and chmod after it restores them; times last since the others
 * change ctime only. Owners only when running as root, like restic. Times are exact to the
 * nanosecond with the native helper (to the microsecond without it).
 */
export function applyMetadata(path: Buffer, node: Node, asRoot: boolean): void {
  if (asRoot) lchownSync(path, node.uid, node.gid);
  if (node.type !== 'symlink') chmodSync(path, stModeFromFileMode(node.mode) & PERM_AND_SPECIAL);
  for (const x of node.extendedAttributes) setXattr(path, x.name, x.value);
  setTimesNs(path, timespecFromNs(node.atime.unixNs), timespecFromNs(node.mtime.unixNs));
}
