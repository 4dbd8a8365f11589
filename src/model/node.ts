import { LifeboatError } from '../errors/index.js';
import { GO_ZERO_TIME, type GoTime } from './go-time.js';
import type { Id } from './id.js';

/** Node types restic writes; `irregular` only comes from restic 0.17+ and 0.14 rejects it. */
export const NODE_TYPES = ['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket', 'irregular'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export function isNodeType(s: unknown): s is NodeType {
  return typeof s === 'string' && (NODE_TYPES as readonly string[]).includes(s);
}

export interface ExtendedAttribute {
  readonly name: string;
  readonly value: Uint8Array;
}

/**
 * One entry of a tree blob, field for field as restic 0.14 stores it. Every field is
 * present; the zero value (0, 0n, '', empty bytes or list, null) is what the JSON omits.
 */
export interface Node {
  /** Raw name bytes from disk; may be invalid UTF-8. Never empty, `.`, `..`, or with `/` or NUL. */
  readonly name: Uint8Array;
  readonly type: NodeType;
  /** Go `os.FileMode` (see file-mode.ts), not POSIX st_mode. */
  readonly mode: number;
  readonly mtime: GoTime;
  readonly atime: GoTime;
  readonly ctime: GoTime;
  readonly uid: number;
  readonly gid: number;
  readonly user: string;
  readonly group: string;
  /** uint64; bigint because inode numbers can exceed 2^53. */
  readonly inode: bigint;
  /** st_dev, uint64. */
  readonly deviceId: bigint;
  /** Bytes of file content; restic restores an empty file when this is 0. */
  readonly size: number;
  readonly links: number;
  /**
   * Symlink target bytes. restic 0.14 stores it as JSON text, so invalid UTF-8 is lost
   * (each bad byte becomes U+FFFD); see README.md.
   */
  readonly linktarget: Uint8Array;
  readonly extendedAttributes: readonly ExtendedAttribute[];
  /** st_rdev for `dev` and `chardev`, uint64. */
  readonly device: bigint;
  /** Data blob IDs in file order: `[]` for an empty file, null for anything but a file. */
  readonly content: readonly Id[] | null;
  /** The directory's tree blob; null for anything but a dir. */
  readonly subtree: Id | null;
  /** Why restic could not read this entry, if it could not. */
  readonly error: string;
}

const textEncoder = new TextEncoder();

/**
 * The zero values of a node's list fields, shared (a backup makes a node per file). Neither
 * can change: a Uint8Array of length 0 has no bytes, and the array is frozen.
 */
export const NO_BYTES = new Uint8Array(0);
export const NO_XATTRS: readonly ExtendedAttribute[] = Object.freeze([]);

/** A node with every field at its zero value except those given (`content: []` for files). */
export function newNode(name: Uint8Array | string, type: NodeType, fields: Partial<Omit<Node, 'name' | 'type'>> = {}): Node {
  return {
    name: typeof name === 'string' ? textEncoder.encode(name) : name,
    type,
    mode: 0,
    mtime: GO_ZERO_TIME,
    atime: GO_ZERO_TIME,
    ctime: GO_ZERO_TIME,
    uid: 0,
    gid: 0,
    user: '',
    group: '',
    inode: 0n,
    deviceId: 0n,
    size: 0,
    links: 0,
    linktarget: NO_BYTES,
    extendedAttributes: NO_XATTRS,
    device: 0n,
    content: type === 'file' ? [] : null,
    subtree: null,
    error: '',
    ...fields,
  };
}

/**
 * Why a name cannot be a single path component, or undefined when it can. restic's
 * restorer refuses the same names (`invalid child node name`); NUL cannot occur on disk.
 */
export function nodeNameProblem(name: Uint8Array): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length <= 2 && name.every((b) => b === 0x2e)) return `name "${'.'.repeat(name.length)}"`;
  if (name.includes(0x2f)) return 'name contains "/"';
  if (name.includes(0)) return 'name contains a NUL byte';
  return undefined;
}

export function checkNodeName(name: Uint8Array, code: 'INVALID_DATA' | 'INVALID_ARGUMENT'): void {
  const problem = nodeNameProblem(name);
  if (problem !== undefined) throw new LifeboatError(code, `invalid tree node: ${problem}`);
}
