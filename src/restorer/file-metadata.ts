import { chmodSync, lchownSync } from 'node:fs';
import { setTimesNs, setXattr, timespecFromNs } from '../lib/fs-native.js';
import { stModeFromFileMode, type ExtendedAttribute, type Node } from '../model/index.js';

const PERM_AND_SPECIAL = 0o7777;
const NO_XATTRS: readonly ExtendedAttribute[] = [];

/**
 * What applying metadata needs of a node, kept until the end of a restore. Not the node
 * itself: a node holds names, owners' names, bigints and content IDs (often slices of the
 * tree's whole JSON text), and tens of thousands of them were most of restore's heap.
 */
export interface EntryMeta {
  readonly symlink: boolean;
  readonly stMode: number;
  readonly uid: number;
  readonly gid: number;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly xattrs: readonly ExtendedAttribute[];
}

export function metaOf(node: Node): EntryMeta {
  return {
    symlink: node.type === 'symlink',
    stMode: stModeFromFileMode(node.mode) & PERM_AND_SPECIAL,
    uid: node.uid,
    gid: node.gid,
    atimeNs: node.atime.unixNs,
    mtimeNs: node.mtime.unixNs,
    xattrs: node.extendedAttributes.length === 0 ? NO_XATTRS : node.extendedAttributes,
  };
}

/**
 * Applies owner, mode, extended attributes and times to a restored entry, in that order:
 * chown clears setuid bits, and chmod after it restores them; times last since the others
 * change ctime only. Owners only when running as root, like restic. Times are exact to the
 * nanosecond with the native helper (to the microsecond without it).
 */
export function applyMetadata(path: Buffer, meta: EntryMeta, asRoot: boolean): void {
  if (asRoot) lchownSync(path, meta.uid, meta.gid);
  if (!meta.symlink) chmodSync(path, meta.stMode);
  for (const x of meta.xattrs) setXattr(path, x.name, x.value);
  setTimesNs(path, timespecFromNs(meta.atimeNs), timespecFromNs(meta.mtimeNs));
}
