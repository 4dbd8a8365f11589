import { LifeboatError } from '../errors/index.js';
import type { NodeType } from './node.js';

/**
 * Bits of Go's `os.FileMode`, the `mode` restic stores. They reach 2^31, beyond the range
 * of JS bitwise operators, so this file uses arithmetic only.
 */
export const GO_MODE = {
  dir: 2 ** 31,
  append: 2 ** 30,
  exclusive: 2 ** 29,
  temporary: 2 ** 28,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

/** POSIX st_mode bits (Linux values, shared by the BSDs and macOS). */
export const ST_MODE = {
  typeMask: 0o170000,
  socket: 0o140000,
  symlink: 0o120000,
  file: 0o100000,
  blockDevice: 0o060000,
  dir: 0o040000,
  charDevice: 0o020000,
  fifo: 0o010000,
  setuid: 0o4000,
  setgid: 0o2000,
  sticky: 0o1000,
} as const;

// The Go type bits each node type carries; `file` has none.
const TYPE_BITS: ReadonlyArray<readonly [NodeType, number, number]> = [
  ['dir', GO_MODE.dir, ST_MODE.dir],
  ['symlink', GO_MODE.symlink, ST_MODE.symlink],
  ['chardev', GO_MODE.device + GO_MODE.charDevice, ST_MODE.charDevice],
  ['dev', GO_MODE.device, ST_MODE.blockDevice],
  ['fifo', GO_MODE.namedPipe, ST_MODE.fifo],
  ['socket', GO_MODE.socket, ST_MODE.socket],
];
const TYPE_BIT_LIST = [GO_MODE.dir, GO_MODE.symlink, GO_MODE.device, GO_MODE.namedPipe, GO_MODE.socket, GO_MODE.charDevice, GO_MODE.irregular];

/** Whether `bit` (a single power of two) is set in the uint32 `mode`. */
export function hasModeBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

/**
 * Go's `os.FileMode` for a POSIX st_mode, as Go's `os.Lstat` builds it on Linux: permission
 * bits, the special bits moved up, one type bit set. An unknown file type gets no type bit,
 * as in Go.
 */
export function fileModeFromStMode(stMode: number): number {
  // Called for every entry of a backup, with a handful of distinct values: remembered.
  const known = modeCache.get(stMode);
  if (known !== undefined) return known;
  const mode = computeFileMode(stMode);
  if (modeCache.size >= 1024) modeCache.clear();
  modeCache.set(stMode, mode);
  return mode;
}

const modeCache = new Map<number, number>();

function computeFileMode(stMode: number): number {
  checkUint32(stMode, 'st_mode');
  const low = stMode % 0o200000; // st_mode never uses higher bits
  const fmt = low - (low % 0o10000);
  let mode = low % 0o1000;
  for (const [, goBits, stBits] of TYPE_BITS) if (fmt === stBits) mode += goBits;
  if (low & ST_MODE.setuid) mode += GO_MODE.setuid;
  if (low & ST_MODE.setgid) mode += GO_MODE.setgid;
  if (low & ST_MODE.sticky) mode += GO_MODE.sticky;
  return mode;
}

/**
 * POSIX st_mode for a Go `os.FileMode`: the type, special and permission bits. For
 * `chmod`, keep only `& 0o7777` (what Go's `os.Chmod` passes on). An irregular mode has
 * no POSIX file type, so its type bits are 0.
 */
export function stModeFromFileMode(mode: number): number {
  checkUint32(mode, 'file mode');
  let st = mode % 0o1000;
  if (hasModeBit(mode, GO_MODE.setuid)) st += ST_MODE.setuid;
  if (hasModeBit(mode, GO_MODE.setgid)) st += ST_MODE.setgid;
  if (hasModeBit(mode, GO_MODE.sticky)) st += ST_MODE.sticky;
  const type = nodeTypeFromFileMode(mode);
  if (type === 'file') return st + ST_MODE.file;
  const entry = TYPE_BITS.find(([t]) => t === type);
  return entry === undefined ? st : st + entry[2];
}

/** The node type restic derives from a mode's type bits; any other combination is irregular. */
export function nodeTypeFromFileMode(mode: number): NodeType {
  checkUint32(mode, 'file mode');
  const typeBits = typeBitsOf(mode);
  if (typeBits === 0) return 'file';
  const entry = TYPE_BITS.find(([, goBits]) => goBits === typeBits);
  return entry === undefined ? 'irregular' : entry[0];
}

function typeBitsOf(mode: number): number {
  let sum = 0;
  for (const bit of TYPE_BIT_LIST) if (hasModeBit(mode, bit)) sum += bit;
  return sum;
}

function checkUint32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid ${what} ${v}: expected an integer in 0..2^32-1`);
  }
}
