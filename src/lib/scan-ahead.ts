import { lstatSync, type BigIntStats } from 'node:fs';
import { nativeScanAhead, type ScanAheadHandle, type ScannedEntry } from './fs-native.js';

/** Entries a scan-ahead thread may hold for the walk to take: a few MiB, and ~0.5 s of a walk. */
const MAX_QUEUED = 32 * 1024;

/**
 * Scans directory trees on a native thread ahead of a walk that visits their directories in
 * the same order (each root depth first, entries in byte order, as scanDir gives them): the
 * walk's thread then only takes finished scans, while the lstat and xattr calls of the next
 * directories run beside it. A directory the walk does not enter is dropped when the walk
 * takes one after it; `skip` spares the thread scanning the rest of it.
 *
 * Results are scanDir's, taken a little earlier: the walk uses one per directory, as it
 * would use scanDir's, so what it records is what a scan at that moment saw.
 */
export class ScanAhead {
  private handle: ScanAheadHandle | undefined;

  private constructor(
    handle: ScanAheadHandle,
    private readonly rootStats: ReadonlyMap<string, BigIntStats>,
  ) {
    this.handle = handle;
  }

  /**
   * Starts scanning `roots` (absolute paths, in the order the walk visits them, none inside
   * another); undefined without the native helper or when its thread cannot start.
   */
  static start(roots: readonly Uint8Array[]): ScanAhead | undefined {
    if (!nativeScanAhead || roots.length === 0) return undefined;
    // Before the thread reads them: reading a directory may update its atime, and a walk
    // records every directory's lstat from before it read it (from its parent's scan).
    const rootStats = new Map<string, BigIntStats>();
    for (const r of roots) {
      try {
        const b = Buffer.from(r);
        rootStats.set(b.toString('latin1'), lstatSync(b, { bigint: true }));
      } catch {
        // the walk's own lstat gives the error
      }
    }
    const joined = Buffer.concat(roots.flatMap((r) => [r, NUL]));
    let handle: ScanAheadHandle;
    try {
      handle = nativeScanAhead.start(joined, MAX_QUEUED);
    } catch {
      return undefined; // no thread to be had (EAGAIN): the walk scans each directory itself
    }
    return new ScanAhead(handle, rootStats);
  }

  /** A root's lstat from before the thread read it (undefined when that lstat failed). */
  rootStat(root: Uint8Array): BigIntStats | undefined {
    return this.rootStats.get(Buffer.from(root).toString('latin1'));
  }

  /**
   * The entries of directory `path`, as scanDir would give them, waiting for the thread to
   * get there; undefined when it has no scan of it (it failed, or the thread never went
   * there): then the caller scans it itself, and gets scanDir's own error.
   */
  take(path: Uint8Array): ScannedEntry[] | undefined {
    if (!this.handle) return undefined;
    const r = nativeScanAhead!.take(this.handle, path);
    return r === null || !Array.isArray(r) ? undefined : r;
  }

  /** The walk will not enter directory `path`. */
  skip(path: Uint8Array): void {
    if (this.handle) nativeScanAhead!.skip(this.handle, path);
  }

  /** Stops the thread; later takes give undefined. */
  close(): void {
    if (this.handle) nativeScanAhead!.close(this.handle);
    this.handle = undefined;
  }
}

const NUL = Buffer.alloc(1);
