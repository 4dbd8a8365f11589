import { existsSync, lutimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LifeboatError } from '../errors/index.js';

/**
 * What Node's fs cannot do, from the native helper in native/ (plain C on Node-API, built
 * by package.json's "install" script with node-gyp): set times to the nanosecond, and
 * read and write extended attributes. None of these follows a symlink.
 *
 * The helper is optional. Without it (`nativeAvailable` false: the build failed, or
 * LIFEBOAT_NATIVE=0 in the environment) `setTimesNs` falls back to fs.lutimesSync, which
 * keeps whole microseconds only; `listXattrs` returns [] and `getXattr`/`setXattr` throw
 * an ENOTSUP error, the same code a file system without extended attributes gives, so
 * callers handle both alike (or check `xattrsAvailable` first).
 *
 * Errors from the OS are Node-style: `.code` ('ENOENT', 'ENODATA' for a missing
 * attribute, 'EPERM' for user.* attributes on a symlink, ...), `.errno` (negative),
 * `.syscall`, `.path`. A malformed argument (nanoseconds outside [0, 1e9), a NUL byte
 * in a path or name) is a LifeboatError INVALID_ARGUMENT.
 */

/** A point in time as POSIX's struct timespec: whole seconds since 1970 (negative before) and 0 <= nsec < 1e9. */
export interface Timespec {
  readonly sec: bigint;
  readonly nsec: number;
}

/** A path or attribute name: raw bytes (file names need not be UTF-8), or a string taken as UTF-8. */
export type Bytes = Uint8Array | string;

/**
 * The layout of what the helper's exports take and return; native/src/fs_native.c exports the
 * same number as `abi`, and both change together.
 */
export const NATIVE_ABI = 2;

interface Binding {
  readonly abi?: number;
  lutimesNs(path: Uint8Array, atimeSec: bigint, atimeNsec: number, mtimeSec: bigint, mtimeNsec: number): void;
  llistxattr(path: Uint8Array): Buffer[];
  lgetxattr(path: Uint8Array, name: Uint8Array): Buffer;
  lsetxattr(path: Uint8Array, name: Uint8Array, value: Uint8Array): void;
  tuneMalloc?(arenaMax: number, mmapThreshold: number): boolean;
  aes256CtrXor?(key: Uint8Array, iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void;
  scanDir?(path: Uint8Array): RawScan;
  scanAheadStart?(roots: Uint8Array, maxQueued: number): ScanAheadHandle;
  scanAheadTake?(handle: ScanAheadHandle, path: Uint8Array): RawScan | { errno: number } | null;
  scanAheadSkip?(handle: ScanAheadHandle, path: Uint8Array): void;
  scanAheadClose?(handle: ScanAheadHandle): void;
  decodeIndex?(json: Uint8Array): IndexColumns | null;
}

/** An index file in columns, from the helper (see repo/index-fast-decode.ts). */
export interface IndexColumns {
  /** 32 bytes per pack. */
  readonly packIds: Buffer;
  /** 32 bytes per ID; absent when the file has no supersedes list. */
  readonly supersedes?: Buffer;
  readonly packOf: Uint32Array;
  readonly types: Uint8Array;
  /** 32 bytes per blob. */
  readonly keys: Buffer;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly ulens: Uint32Array;
}

/** A directory scan as the helper returns it: names, each followed by a NUL, and SCAN_FIELDS values per entry. */
interface RawScan {
  readonly names: Buffer;
  readonly stats: BigInt64Array;
}

/** The helper's handle of a scan-ahead thread (see scan-ahead.ts). */
export type ScanAheadHandle = { readonly __scanAhead: never };

const ADDON = join('native', 'build', 'Release', 'fs_native.node');

/** The addon's path: under the nearest directory above this file holding a package.json (the package root, in src/ or dist/ alike). */
function addonPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, ADDON);
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function load(): { binding?: Binding; error?: string; stale?: true } {
  if (process.env['LIFEBOAT_NATIVE'] === '0') return { error: 'disabled by LIFEBOAT_NATIVE=0' };
  const path = addonPath();
  if (path === undefined) return { error: `no package.json above ${fileURLToPath(import.meta.url)}` };
  let candidate: Binding;
  try {
    candidate = createRequire(import.meta.url)(path) as Binding;
  } catch (e) {
    return { error: `${path}: ${(e as Error)?.message ?? String(e)}` };
  }
  return currentBinding(candidate, path);
}

/**
 * The addon if it was built from this version's native/ sources. One left over from another
 * version (the checkout updated and `npm run build` run, but not `npm ci`) would misread
 * what its functions return: it is not used, and the reason says how to rebuild it.
 */
export function currentBinding<B extends { readonly abi?: number }>(candidate: B, path: string): { binding?: B; error?: string; stale?: true } {
  if (candidate.abi === NATIVE_ABI) return { binding: candidate };
  return { stale: true, error: `${path} was built from another version of Lifeboat (native ABI ${candidate.abi ?? 1}, expected ${NATIVE_ABI}); rebuild it with \`npm ci\`` };
}

const loaded = load();
const binding = loaded.binding;

/** Whether the native helper loaded. */
export const nativeAvailable: boolean = binding !== undefined;
/** Why it did not, for a diagnostic line (undefined when it did). */
export const nativeLoadError: string | undefined = loaded.error;
/** Set when the helper is there but from another version: a mistake worth a warning, unlike a helper never built. */
export const nativeStale: string | undefined = loaded.stale ? loaded.error : undefined;
/** Whether getXattr/setXattr can work at all here (a given file system may still refuse with ENOTSUP). */
export const xattrsAvailable: boolean = nativeAvailable && (process.platform === 'linux' || process.platform === 'darwin');

const NS_PER_SEC = 1_000_000_000n;

/** The timespec of a time in nanoseconds since 1970 (seconds floored, so nsec is never negative). */
export function timespecFromNs(ns: bigint): Timespec {
  let sec = ns / NS_PER_SEC;
  let rem = ns % NS_PER_SEC;
  if (rem < 0n) {
    sec -= 1n;
    rem += NS_PER_SEC;
  }
  return { sec, nsec: Number(rem) };
}

/**
 * Sets a file's access and modification times, not following a symlink. Nanosecond
 * precision with the native helper; without it, whole microseconds (floored).
 */
export function setTimesNs(path: Bytes, atime: Timespec, mtime: Timespec): void {
  checkTimespec(atime, 'atime');
  checkTimespec(mtime, 'mtime');
  const p = pathBytes(path);
  if (binding) binding.lutimesNs(p, atime.sec, atime.nsec, mtime.sec, mtime.nsec);
  else lutimesSync(asBuffer(p), microsecondSeconds(atime), microsecondSeconds(mtime));
}

/** What lstat tells of an entry, as the archiver uses it (BigIntStats has these fields too). */
export interface StatFields {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly rdev: bigint;
  readonly size: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export interface ScannedEntry {
  readonly name: Buffer;
  /** Undefined when lstat failed: `errno` says why (the entry may have gone meanwhile). */
  readonly stat: StatFields | undefined;
  readonly errno: number;
  /** Bytes in the entry's xattr name list: 0 when it has none, negative when listing failed. */
  readonly xattrListSize: number;
}

const SCAN_FIELDS = 19;
/** The helper's mark for a time in nanoseconds that does not fit in 64 bits. */
const NS_UNFIT = -(2n ** 63n);
const BILLION = 1_000_000_000n;

/**
 * A directory's entries (without . and ..), each with its lstat and the size of its xattr
 * list, in one native call instead of two or three per entry (each resolving the whole
 * path again). Undefined without the native helper: then use readdir and lstat. Fails like
 * readdirSync (ENOENT, EACCES, ...).
 */
export function scanDir(path: Bytes): ScannedEntry[] | undefined {
  if (!binding?.scanDir) return undefined;
  return decodeScan(binding.scanDir(pathBytes(path)));
}

/**
 * The helper's scan-ahead thread (see scan-ahead.ts), whose takes give what scanDir would;
 * undefined without the helper.
 */
export const nativeScanAhead =
  binding?.scanAheadStart && binding.scanAheadTake && binding.scanAheadSkip && binding.scanAheadClose
    ? {
        start: binding.scanAheadStart.bind(binding),
        take(handle: ScanAheadHandle, path: Bytes): ScannedEntry[] | { errno: number } | null {
          const r = binding.scanAheadTake!(handle, pathBytes(path));
          return r === null || 'errno' in r ? r : decodeScan(r);
        },
        skip: (handle: ScanAheadHandle, path: Bytes) => binding.scanAheadSkip!(handle, pathBytes(path)),
        close: binding.scanAheadClose.bind(binding),
      }
    : undefined;

/** A time in nanoseconds from the helper, or from its seconds and nanoseconds when it did not fit there. */
function timeNs(stats: BigInt64Array, ns: number, sec: number): bigint {
  const v = stats[ns]!;
  return v !== NS_UNFIT ? v : stats[sec]! * BILLION + stats[sec + 1]!;
}

function decodeScan({ names, stats }: RawScan): ScannedEntry[] {
  const out: ScannedEntry[] = [];
  let at = 0;
  for (let i = 0; at < names.length; i++) {
    const end = names.indexOf(0, at);
    const name = names.subarray(at, end);
    at = end + 1;
    const f = i * SCAN_FIELDS;
    const errno = Number(stats[f]);
    const stat: StatFields | undefined =
      errno !== 0
        ? undefined
        : {
            dev: BigInt.asUintN(64, stats[f + 1]!),
            ino: BigInt.asUintN(64, stats[f + 2]!),
            mode: stats[f + 3]!,
            nlink: stats[f + 4]!,
            uid: stats[f + 5]!,
            gid: stats[f + 6]!,
            rdev: BigInt.asUintN(64, stats[f + 7]!),
            size: stats[f + 8]!,
            atimeNs: timeNs(stats, f + 16, f + 9),
            mtimeNs: timeNs(stats, f + 17, f + 11),
            ctimeNs: timeNs(stats, f + 18, f + 13),
          };
    out.push({ name, stat, errno, xattrListSize: Number(stats[f + 15]) });
  }
  return out;
}

/** The names of a file's extended attributes, as raw bytes; [] when the file system or this build has none. */
export function listXattrs(path: Bytes): Buffer[] {
  if (!binding) return [];
  return binding.llistxattr(pathBytes(path));
}

/** One extended attribute's value. A missing attribute throws ENODATA. */
export function getXattr(path: Bytes, name: Bytes): Buffer {
  const p = pathBytes(path);
  const n = nameBytes(name);
  if (!binding) throw unavailable('lgetxattr', p);
  return binding.lgetxattr(p, n);
}

/** Creates or replaces one extended attribute. */
export function setXattr(path: Bytes, name: Bytes, value: Uint8Array): void {
  const p = pathBytes(path);
  const n = nameBytes(name);
  if (!(value instanceof Uint8Array)) throw new LifeboatError('INVALID_ARGUMENT', 'an extended attribute value must be a Uint8Array');
  if (!binding) throw unavailable('lsetxattr', p);
  binding.lsetxattr(p, n, value);
}

function checkTimespec(t: Timespec, what: string): void {
  if (typeof t?.sec !== 'bigint' || !Number.isInteger(t.nsec) || t.nsec < 0 || t.nsec >= 1e9) {
    throw new LifeboatError('INVALID_ARGUMENT', `${what} must be {sec: bigint, nsec: integer in [0, 1e9)}`, { data: { sec: String(t?.sec), nsec: t?.nsec } });
  }
}

function toBytes(b: Bytes, what: string): Uint8Array {
  const u = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (!(u instanceof Uint8Array)) throw new LifeboatError('INVALID_ARGUMENT', `${what} must be a Uint8Array or string`);
  if (u.length === 0 || u.includes(0)) throw new LifeboatError('INVALID_ARGUMENT', `${what} must be non-empty and contain no NUL bytes`);
  return u;
}

const pathBytes = (p: Bytes): Uint8Array => toBytes(p, 'a path');
const nameBytes = (n: Bytes): Uint8Array => toBytes(n, 'an extended attribute name');
const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * The time for fs.lutimesSync, whole microseconds: Node passes seconds as a double to
 * libuv, which truncates toward zero, so the value aims at the middle of the floored
 * microsecond. A numeric string, since Node takes a negative number (before 1970) for
 * "now" but parses a string as given.
 */
function microsecondSeconds(t: Timespec): string {
  const us = t.sec * 1_000_000n + BigInt(Math.floor(t.nsec / 1000)); // floor: nsec >= 0
  return String(Number(us) / 1e6 + (us >= 0n ? 0.5e-6 : -0.5e-6));
}

function unavailable(syscall: string, path: Uint8Array): NodeJS.ErrnoException {
  const p = asBuffer(path).toString();
  const e: NodeJS.ErrnoException = new Error(
    `ENOTSUP: extended attributes unavailable, Lifeboat's native helper is not loaded (${nativeLoadError ?? 'unknown reason'}), ${syscall} '${p}'`,
  );
  e.code = 'ENOTSUP';
  e.errno = -(osConstants.errno.ENOTSUP ?? 95);
  e.syscall = syscall;
  e.path = p;
  return e;
}

/**
 * Makes glibc give large freed buffers back to the system (see native/src/fs_native.c).
 * Call before starting worker threads; false when the helper or glibc is not there.
 */
export function tuneMalloc(): boolean {
  return binding?.tuneMalloc?.(2, 128 * 1024) ?? false;
}

/**
 * AES-256-CTR of `src` into `dst` (which may be `src`) through OpenSSL directly, or undefined
 * when the native helper is not built (callers then use node:crypto's Cipher).
 */
export const aes256CtrXor: ((key: Uint8Array, iv: Uint8Array, src: Uint8Array, dst: Uint8Array) => void) | undefined = binding?.aes256CtrXor?.bind(binding);

/**
 * An index file's JSON in columns, decoded by the helper (null when the file is not in the
 * shape restic writes); undefined without the helper.
 */
export const decodeIndexColumns: ((json: Uint8Array) => IndexColumns | null) | undefined = binding?.decodeIndex?.bind(binding);
