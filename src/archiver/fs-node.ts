import { readlinkSync } from 'node:fs';
import { getXattr, listXattrs, xattrsAvailable, type StatFields } from '../lib/fs-native.js';
import { NO_BYTES, NO_XATTRS, fileModeFromStMode, goTimeFromNs, type ExtendedAttribute, type Node, type NodeType } from '../model/index.js';
import type { UserNames } from './user-names.js';

const S_IFMT = 0o170000;
const TYPE_BY_FORMAT: Record<number, NodeType> = {
  0o100000: 'file',
  0o040000: 'dir',
  0o120000: 'symlink',
  0o060000: 'dev',
  0o020000: 'chardev',
  0o010000: 'fifo',
  0o140000: 'socket',
};

export function nodeTypeOf(st: Pick<StatFields, 'mode'>): NodeType {
  return TYPE_BY_FORMAT[Number(st.mode) & S_IFMT] ?? 'irregular';
}

/**
 * The node restic records for a file system entry, from `lstat(path, { bigint: true })` or a
 * directory scan (`xattrListSize` from the scan, when there was one):
 * every field filled truthfully, since restic's parent-snapshot reuse compares size,
 * mtime, ctime and inode. Content and subtree are filled in by the archiver.
 */
export function nodeFromStat(name: Uint8Array, path: Buffer, st: StatFields, names: UserNames, xattrListSize?: number): Node {
  const type = nodeTypeOf(st);
  const uid = Number(st.uid);
  const gid = Number(st.gid);
  // A literal in newNode's field order (one object per entry, of the shape every node has),
  // not newNode(name, type, fields): this runs once per entry of every backup.
  return {
    name,
    type,
    mode: fileModeFromStMode(Number(st.mode)),
    mtime: goTimeFromNs(st.mtimeNs),
    atime: goTimeFromNs(st.atimeNs),
    ctime: goTimeFromNs(st.ctimeNs),
    uid,
    gid,
    user: names.user(uid),
    group: names.group(gid),
    inode: st.ino,
    deviceId: st.dev,
    size: type === 'file' ? Number(st.size) : 0,
    // restic 0.14 records links only for these types; matching it keeps trees byte-identical.
    links: type === 'file' || type === 'symlink' || type === 'dev' || type === 'chardev' ? Number(st.nlink) : 0,
    linktarget: type === 'symlink' ? readlinkSync(path, { encoding: 'buffer' }) : NO_BYTES,
    // A scan that found no xattr names spares listing them again.
    extendedAttributes: xattrListSize === 0 ? NO_XATTRS : readXattrs(path),
    device: type === 'dev' || type === 'chardev' ? st.rdev : 0n,
    content: type === 'file' ? [] : null,
    subtree: null,
    error: '',
  };
}

/** Extended attributes as restic records them (name as text, raw value); none when unsupported. */
function readXattrs(path: Buffer): ExtendedAttribute[] {
  if (!xattrsAvailable) return [];
  const out: ExtendedAttribute[] = [];
  let names: Buffer[];
  try {
    names = listXattrs(path);
  } catch {
    return []; // unreadable attributes never cost the file itself
  }
  for (const name of names) {
    try {
      out.push({ name: name.toString(), value: getXattr(path, name) });
    } catch {
      // removed between list and get, or not readable: skip it, as restic does
    }
  }
  return out;
}
