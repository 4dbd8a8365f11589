import { compareNames, type GoTime, type Node } from '../model/index.js';

/**
 * Whether the new entries of a directory are exactly the nodes of its tree in the parent
 * snapshot, in the stored order (which must be the sorted order a new tree would have). Then
 * the directory's tree is the parent's tree: no encoding, hashing or index lookup for it,
 * which is most of an unchanged re-backup's work after the lstat calls.
 */
export function sameTree(children: readonly Node[], parentNodes: readonly Node[]): boolean {
  if (children.length !== parentNodes.length) return false;
  const sorted = [...children].sort((a, b) => compareNames(a.name, b.name));
  for (let i = 0; i < sorted.length; i++) if (!sameNode(sorted[i]!, parentNodes[i]!)) return false;
  return true;
}

/** Field by field: two nodes that pass would encode to the same tree entry. */
export function sameNode(a: Node, b: Node): boolean {
  return (
    a.type === b.type &&
    a.mode === b.mode &&
    a.size === b.size &&
    sameTime(a.mtime, b.mtime) &&
    sameTime(a.ctime, b.ctime) &&
    sameTime(a.atime, b.atime) &&
    a.inode === b.inode &&
    a.deviceId === b.deviceId &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.user === b.user &&
    a.group === b.group &&
    a.links === b.links &&
    a.device === b.device &&
    a.subtree === b.subtree &&
    a.error === b.error &&
    sameBytes(a.name, b.name) &&
    sameBytes(a.linktarget, b.linktarget) &&
    sameIds(a.content, b.content) &&
    a.extendedAttributes.length === b.extendedAttributes.length &&
    a.extendedAttributes.every((x, i) => x.name === b.extendedAttributes[i]!.name && sameBytes(x.value, b.extendedAttributes[i]!.value))
  );
}

function sameTime(a: GoTime, b: GoTime): boolean {
  return a.unixNs === b.unixNs && a.offsetSeconds === b.offsetSeconds;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function sameIds(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
