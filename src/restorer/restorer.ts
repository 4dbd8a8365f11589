import { linkSync, lstatSync, mkdirSync, renameSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LifeboatError } from '../errors/index.js';
import { PathPattern, fullCollection } from '../lib/index.js';
import { stModeFromFileMode, type Id, type Node } from '../model/index.js';
import type { BlobWorkerPool, Repository } from '../repo/index.js';
import { writeContents, type FileJob } from './content-writer.js';
import { applyMetadata, metaOf, type EntryMeta } from './file-metadata.js';
import { pathText, walkTree, type WalkEntry } from './tree-walk.js';

export interface RestoreOptions {
  readonly target: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** chown restored entries (restic does when running as root). */
  readonly asRoot: boolean;
  /** Packs read at once. */
  readonly concurrency?: number;
  /** Decrypt and verify blobs on these worker threads. */
  readonly pool?: BlobWorkerPool;
  readonly reporter?: RestoreReporter;
}

export interface RestoreCounts {
  files: number;
  dirs: number;
  others: number;
  bytes: number;
  totalFiles: number;
  totalBytes: number;
}

export interface RestoreReporter {
  progress?(c: Readonly<RestoreCounts>): void;
  error?(path: string, message: string): void;
}

export interface RestoreResult {
  readonly counts: RestoreCounts;
  readonly errors: readonly { path: string; message: string }[];
}

/**
 * What is kept per entry until its metadata is applied: where it goes and the little its
 * metadata needs (see EntryMeta), not the node. Not the walk's path arrays either: the path
 * inside the snapshot is the destination minus the target prefix.
 */
interface PlannedDir {
  readonly dest: Buffer;
  readonly meta: EntryMeta;
}

interface PlannedFile extends FileJob {
  readonly meta: EntryMeta;
}

/** A second path of a hard-linked inode: linked to the first, which gets the content. */
interface PlannedLink {
  readonly dest: Buffer;
  readonly first: Buffer;
}

/** Symlinks, devices, fifos and sockets: few, so the node is kept as it is. */
interface PlannedOther {
  readonly dest: Buffer;
  readonly node: Node;
}

/**
 * Restores a snapshot tree into a directory. The plan comes first (what to create), then
 * file contents are written concurrently, blob by blob (each verified against its hash,
 * never a whole file in memory), and metadata goes last, directories deepest first.
 */
export async function restoreTree(repo: Repository, root: Id, opts: RestoreOptions): Promise<RestoreResult> {
  const include = new PathPattern(opts.include ?? []);
  const exclude = new PathPattern(opts.exclude ?? []);
  const selected = (e: WalkEntry) => {
    const p = pathText(e.path);
    return !exclude.matches(p) && (include.empty || include.matches(p));
  };
  const counts: RestoreCounts = { files: 0, dirs: 0, others: 0, bytes: 0, totalFiles: 0, totalBytes: 0 };
  const errors: { path: string; message: string }[] = [];
  const targetBuf = Buffer.from(opts.target);
  // The path inside the snapshot, for messages: the destination after the target prefix.
  const labelOf = (dest: Buffer) => dest.subarray(targetBuf.length).toString();
  mkdirSync(opts.target, { recursive: true });

  const dirs: PlannedDir[] = [];
  const toWrite: PlannedFile[] = [];
  const linked: PlannedLink[] = [];
  const others: PlannedOther[] = [];
  // Hardlinks: the first path of an inode gets the content, the others are linked to it.
  const firstOfInode = new Map<string, Buffer>();
  const madeDirs = new Set<string>();
  const ensureParent = (dest: Buffer) => {
    // Parents are created as we go (any missing level at once); the ones in the snapshot get
    // their metadata later.
    const parent = dest.subarray(0, dest.lastIndexOf(SLASH_BYTE));
    const k = parent.toString('latin1');
    if (!madeDirs.has(k)) {
      mkdirSync(parent, { recursive: true, mode: 0o700 });
      madeDirs.add(k);
    }
  };
  const arena = new ByteArena();
  for await (const e of walkTree(repo, root, (d) => !exclude.matches(pathText(d.path)))) {
    const n = e.node;
    const dest = destinationOf(arena, targetBuf, e.path);
    if (n.type === 'dir') {
      if (!selected(e)) continue;
      ensureParent(dest);
      mkdirSync(dest, { recursive: true, mode: 0o700 });
      madeDirs.add(dest.toString('latin1'));
      dirs.push({ dest, meta: metaOf(n) });
      continue;
    }
    if (!selected(e)) continue;
    ensureParent(dest);
    if (n.type !== 'file') {
      others.push({ dest, node: n });
      continue;
    }
    counts.totalFiles++;
    counts.totalBytes += n.size;
    if (n.links > 1 && n.inode !== 0n) {
      const key = `${n.deviceId}:${n.inode}`;
      const first = firstOfInode.get(key);
      if (first) {
        linked.push({ dest, first });
        continue;
      }
      firstOfInode.set(key, dest);
    }
    toWrite.push({ dest, size: n.size, content: contentBytes(arena, n.content ?? []), meta: metaOf(n) });
  }
  firstOfInode.clear();
  // Decoding every tree grew the young generation to tens of MiB: let it shrink before the spans come.
  fullCollection();

  await writeContents(repo, toWrite, {
    ...(opts.pool ? { pool: opts.pool } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    label: (job) => labelOf(job.dest),
    onBytes: (n) => {
      counts.bytes += n;
      opts.reporter?.progress?.(counts);
    },
    onFileDone: (job, e) => {
      if (e === undefined) counts.files++;
      else record(errors, opts.reporter, labelOf(job.dest), e);
    },
  });
  for (const l of linked) {
    try {
      linkSync(l.first, l.dest);
      counts.files++;
    } catch (e) {
      record(errors, opts.reporter, labelOf(l.dest), e);
    }
  }
  for (const o of others) {
    try {
      createSpecial(o.dest, o.node, opts.target);
      counts.others++;
    } catch (e) {
      record(errors, opts.reporter, labelOf(o.dest), e);
    }
  }
  const metaLast: { dest: Buffer; meta: EntryMeta }[] = [...toWrite, ...others.filter((o) => o.node.type !== 'socket').map((o) => ({ dest: o.dest, meta: metaOf(o.node) }))];
  for (const p of metaLast) {
    try {
      applyMetadata(p.dest, p.meta, opts.asRoot);
    } catch (e) {
      record(errors, opts.reporter, labelOf(p.dest), e);
    }
  }
  for (const d of dirs.reverse()) {
    try {
      applyMetadata(d.dest, d.meta, opts.asRoot);
      counts.dirs++;
    } catch (e) {
      record(errors, opts.reporter, labelOf(d.dest), e);
    }
  }
  opts.reporter?.progress?.(counts);
  return { counts, errors };
}

/**
 * Small byte strings kept for the whole restore (a destination and a content list per file),
 * packed into shared 256 KiB chunks. From Node's Buffer pool instead, each would pin an 8 KiB
 * slab mostly filled with the walk's garbage: for 30,000 files that was 14 MiB.
 */
class ByteArena {
  private chunk = Buffer.allocUnsafeSlow(0);
  private used = 0;

  alloc(n: number): Buffer {
    if (n > ARENA_CHUNK / 8) return Buffer.allocUnsafeSlow(n);
    if (this.used + n > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(ARENA_CHUNK);
      this.used = 0;
    }
    const b = this.chunk.subarray(this.used, this.used + n);
    this.used += n;
    return b;
  }
}

const ARENA_CHUNK = 256 * 1024;

/** target/a/b/c for a path of components. */
function destinationOf(arena: ByteArena, target: Buffer, path: readonly Uint8Array[]): Buffer {
  let n = target.length;
  for (const c of path) n += 1 + c.length;
  const out = arena.alloc(n);
  let at = target.copy(out, 0);
  for (const c of path) {
    out[at++] = SLASH_BYTE;
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Content IDs as 32 bytes each, in one buffer per file. */
function contentBytes(arena: ByteArena, ids: readonly Id[]): Uint8Array {
  const out = arena.alloc(ids.length * 32);
  ids.forEach((id, i) => out.write(id, i * 32, 32, 'hex'));
  return out;
}

function createSpecial(dest: Buffer, node: Node, scratchDir: string): void {
  switch (node.type) {
    case 'symlink':
      symlinkSync(Buffer.from(node.linktarget), dest);
      return;
    case 'fifo':
    case 'dev':
    case 'chardev': {
      // Node has no mknod; the coreutils tool does it (devices need root, like restic).
      const kind = node.type === 'fifo' ? 'p' : node.type === 'dev' ? 'b' : 'c';
      // mknod takes its path as an argv string, which cannot carry a name that is not
      // UTF-8 (it would become U+FFFD). So it makes the node under a plain temporary name in
      // the target root, and rename, which takes raw bytes, moves it into place.
      const tmp = join(scratchDir, `.lifeboat-mknod-${randomBytes(8).toString('hex')}`);
      const args = [tmp, kind];
      if (kind !== 'p') args.push(String(Number(node.device >> 8n) & 0xfff), String(Number(node.device & 0xffn) | (Number(node.device >> 12n) & ~0xff)));
      const mode = (stModeFromFileMode(node.mode) & 0o7777).toString(8);
      const r = spawnSync('mknod', ['-m', mode, ...args], { stdio: 'ignore' });
      if (r.status !== 0) throw new LifeboatError('RESTORE_FAILED', `mknod failed for ${dest.toString()}`);
      renameSync(tmp, dest);
      lstatSync(dest);
      return;
    }
    case 'socket':
      return; // restic skips sockets too
    default:
      throw new LifeboatError('RESTORE_FAILED', `cannot restore a node of type ${node.type}`);
  }
}

function record(errors: { path: string; message: string }[], reporter: RestoreReporter | undefined, path: string, e: unknown): void {
  const err = { path, message: (e as Error)?.message ?? String(e) };
  errors.push(err);
  reporter?.error?.(err.path, err.message);
}

const SLASH_BYTE = 0x2f;
