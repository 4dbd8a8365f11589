import { linkSync, lstatSync, mkdirSync, renameSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LifeboatError } from '../errors/index.js';
import { PathPattern } from '../lib/index.js';
import { stModeFromFileMode, type Id, type Node } from '../model/index.js';
import type { BlobWorkerPool, Repository } from '../repo/index.js';
import { writeContents } from './content-writer.js';
import { applyMetadata } from './file-metadata.js';
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
 * What is kept per entry until its metadata is applied: the node and where it goes. Not the
 * walk's path arrays: for a large snapshot those are most of the plan's memory, and the
 * path inside the snapshot is the destination minus the target prefix.
 */
interface Planned {
  readonly node: Node;
  readonly dest: Buffer;
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

  const dirs: Planned[] = [];
  const files: Planned[] = [];
  const others: Planned[] = [];
  const madeDirs = new Set<string>();
  const ensureParent = (e: WalkEntry) => {
    // Parents are created as we go; the ones in the snapshot get their metadata later.
    let p = targetBuf;
    for (const c of e.path.slice(0, -1)) {
      p = Buffer.concat([p, SLASH, c]);
      const k = p.toString('latin1');
      if (!madeDirs.has(k)) {
        mkdirSync(p, { recursive: true, mode: 0o700 });
        madeDirs.add(k);
      }
    }
  };
  for await (const e of walkTree(repo, root, (d) => !exclude.matches(pathText(d.path)))) {
    const dest = Buffer.concat([targetBuf, ...e.path.flatMap((c) => [SLASH, Buffer.from(c)])]);
    if (e.node.type === 'dir') {
      if (!selected(e)) continue;
      ensureParent(e);
      mkdirSync(dest, { recursive: true, mode: 0o700 });
      madeDirs.add(dest.toString('latin1'));
      dirs.push({ node: e.node, dest });
      continue;
    }
    if (!selected(e)) continue;
    ensureParent(e);
    if (e.node.type === 'file') {
      files.push({ node: e.node, dest });
      counts.totalFiles++;
      counts.totalBytes += e.node.size;
    } else others.push({ node: e.node, dest });
  }

  // Hardlinks: the first path of an inode gets the content, the others are linked to it.
  const firstOfInode = new Map<string, Buffer>();
  const linked: Planned[] = [];
  const toWrite: Planned[] = [];
  for (const f of files) {
    const n = f.node;
    if (n.links > 1 && n.inode !== 0n) {
      const key = `${n.deviceId}:${n.inode}`;
      if (firstOfInode.has(key)) {
        linked.push(f);
        continue;
      }
      firstOfInode.set(key, f.dest);
    }
    toWrite.push(f);
  }

  await writeContents(
    repo,
    toWrite.map((f) => ({
      dest: f.dest,
      node: f.node,
      get label() {
        return labelOf(f.dest);
      },
    })),
    {
      ...(opts.pool ? { pool: opts.pool } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      onBytes: (n) => {
        counts.bytes += n;
        opts.reporter?.progress?.(counts);
      },
      onFileDone: (job, e) => {
        if (e === undefined) counts.files++;
        else record(errors, opts.reporter, job.label, e);
      },
    },
  );
  for (const f of linked) {
    const n = f.node;
    try {
      linkSync(firstOfInode.get(`${n.deviceId}:${n.inode}`)!, f.dest);
      counts.files++;
    } catch (e) {
      record(errors, opts.reporter, labelOf(f.dest), e);
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
  for (const p of [...toWrite, ...others]) {
    try {
      if (p.node.type !== 'socket') applyMetadata(p.dest, p.node, opts.asRoot);
    } catch (e) {
      record(errors, opts.reporter, labelOf(p.dest), e);
    }
  }
  for (const d of dirs.reverse()) {
    try {
      applyMetadata(d.dest, d.node, opts.asRoot);
      counts.dirs++;
    } catch (e) {
      record(errors, opts.reporter, labelOf(d.dest), e);
    }
  }
  opts.reporter?.progress?.(counts);
  return { counts, errors };
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

const SLASH = Buffer.from('/');
