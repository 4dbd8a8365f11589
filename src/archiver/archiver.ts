import { lstatSync, readdirSync } from 'node:fs';
import { scanDir, type StatFields } from '../lib/fs-native.js';
import { LifeboatError, isLifeboatError } from '../errors/index.js';
import { decodeTree, encodeTree, type GoTime, type Id, type Node, type Snapshot } from '../model/index.js';
import { CHUNK_MIN_SIZE, Chunker, readFileChunks, type RepoWriter, type Repository } from '../repo/index.js';
import { EventLoopPacer, PathPattern, limiter, mapConcurrent, type ScanAhead } from '../lib/index.js';
import { FileBatches } from './file-batches.js';
import { nodeFromStat } from './fs-node.js';
import { findNode, matchNodes } from './match-nodes.js';
import { sameTree } from './same-node.js';
import { targetTree } from './target-tree.js';
import { UserNames } from './user-names.js';
import { VirtualTreeWriter, isVirtual, placeVirtualFiles, type VirtualDir } from './virtual-tree.js';
import type { VirtualFile } from '../sources/index.js';

export interface BackupRequest {
  /** Absolute paths to back up. */
  readonly paths: readonly string[];
  readonly excludes: readonly string[];
  readonly hostname: string;
  readonly username: string;
  readonly uid: number;
  readonly gid: number;
  readonly tags: readonly string[];
  readonly time: GoTime;
  /** Snapshot whose unchanged files are reused without reading them. */
  readonly parent?: { readonly id: Id; readonly snapshot: Snapshot } | undefined;
  /** Back up this stream as a single file instead of paths. */
  readonly stdin?: { readonly filename: string; readonly source: AsyncIterable<Uint8Array> };
  /** Streamed files (database dumps, secrets) placed into the root tree next to `paths`. */
  readonly virtualFiles?: readonly VirtualFile[];
  /** Stops the walk at the next directory, throwing the signal's reason (a lock that did not hold). */
  readonly signal?: AbortSignal;
  /** Directory scans made ahead of the walk (see ScanAhead), over `walkedTargets(paths)`. */
  readonly scanAhead?: Pick<ScanAhead, 'take' | 'skip' | 'rootStat'>;
}

export interface BackupCounts {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  /** Bytes of all files looked at, read or reused. */
  bytesProcessed: number;
  /** Bytes actually read from disk. */
  bytesRead: number;
}

export interface SourceError {
  readonly path: string;
  readonly message: string;
}

export interface BackupReporter {
  /**
   * Called after each file; cheap to ignore. `currentPath` decodes the file's path when
   * called: most reporters never show it, and decoding it for every file costs.
   */
  progress?(counts: Readonly<BackupCounts>, currentPath: () => string): void;
  error?(e: SourceError): void;
}

export interface ArchiveResult {
  readonly tree: Id;
  readonly counts: BackupCounts;
  readonly errors: readonly SourceError[];
}


/**
 * An entry handed over to be archived: its node (undefined when left out), or, while its
 * content is being stored, a box whose `done` gives it then (boxed: an async function
 * returning a bare promise would have its caller wait for it). Most entries of a re-backup
 * are settled at once and need neither box nor promise.
 */
type Pending = Node | undefined | { readonly done: Promise<Node | undefined> };
const settled = (node: Node | undefined): Pending => node;
const NOTHING: Pending = undefined;
const nodeOf = async (p: Pending): Promise<Node | undefined> => (p !== undefined && 'done' in p ? p.done : p);

/**
 * Walks the source and writes its trees and data blobs through a RepoWriter. The caller
 * flushes the writer and saves the snapshot; nothing here decides when data is durable.
 */
export class Archiver {
  readonly counts: BackupCounts = { filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirsNew: 0, dirsChanged: 0, dirsUnmodified: 0, bytesProcessed: 0, bytesRead: 0 };
  private readonly errors: SourceError[] = [];
  private readonly polynomial: bigint;
  private readonly names = new UserNames();
  private readonly exclude: PathPattern;
  /**
   * Files being read at once, across all directories being walked: directory windows nest,
   * so without this bound thousands of small files could be read before the writer pushes back.
   */
  private readonly reading = limiter(FILES_READ_AT_ONCE);
  /**
   * Large files (chunked) being read at once. Each holds its chunks in flight, up to 8 MiB
   * apiece, and two are enough to keep the workers fed while the small files around them are read.
   */
  private readonly readingLarge = limiter(LARGE_FILES_READ_AT_ONCE);
  /** Chunkers lent to files being read (each owns a WebAssembly instance: costly to make per file). */
  private readonly spareChunkers: Chunker[] = [];
  /** Files go to worker threads to be read, when the writer has workers. */
  private readonly batches: FileBatches | undefined;
  /** The walk gives the event loop a turn every few ms, so workers' questions are answered while it goes on. */
  private readonly pacer = new EventLoopPacer(WALK_TURN_MS);

  constructor(
    private readonly repo: Repository,
    private readonly writer: RepoWriter,
    private readonly req: BackupRequest,
    private readonly reporter: BackupReporter = {},
  ) {
    this.polynomial = repo.config.chunkerPolynomial;
    this.exclude = new PathPattern(req.excludes);
    this.batches = writer.readsOnWorkers ? new FileBatches(writer, this.polynomial) : undefined;
  }

  async run(): Promise<ArchiveResult> {
    const parentRoot = this.req.parent ? await this.loadTree(this.req.parent.snapshot.tree) : undefined;
    const tree = this.req.stdin ? await this.archiveStdin(this.req.stdin) : await this.archiveTargets(parentRoot);
    return { tree, counts: this.counts, errors: this.errors };
  }

  private async archiveStdin(stdin: NonNullable<BackupRequest['stdin']>): Promise<Id> {
    // Made here, not up front: a chunker costs its tables and a WebAssembly compile (~7 ms).
    const chunker = new Chunker(this.polynomial);
    const content: Id[] = [];
    let size = 0;
    let pending: Uint8Array[] = [];
    let pendingLen = 0;
    const emit = async (chunk: Uint8Array) => {
      content.push((await this.writer.saveBlob('data', chunk)).id);
    };
    for await (const buf of stdin.source) {
      size += buf.length;
      let start = 0;
      for (const cut of chunker.push(buf)) {
        pending.push(buf.subarray(start, cut));
        await emit(Buffer.concat(pending, pendingLen + cut - start));
        pending = [];
        pendingLen = 0;
        start = cut;
      }
      if (start < buf.length) {
        pending.push(buf.subarray(start));
        pendingLen += buf.length - start;
      }
    }
    chunker.finish();
    if (pendingLen > 0) await emit(Buffer.concat(pending, pendingLen));
    const now = this.req.time;
    const node: Node = {
      ...nodeTemplate(stdin.filename, now, this.req),
      size,
      content,
    };
    this.counts.filesNew++;
    this.counts.bytesProcessed += size;
    this.counts.bytesRead += size;
    return (await this.writer.saveBlob('tree', encodeTree([node]))).id;
  }

  /** Builds the root tree (see targetTree) with the virtual files placed into it. */
  private async archiveTargets(parentRoot: readonly Node[] | undefined): Promise<Id> {
    const root = targetTree(this.req.paths);
    placeVirtualFiles(root, this.req.virtualFiles ?? []);
    return this.writeVirtual(root, parentRoot);
  }

  private async writeVirtual(dir: VirtualDir, parent: readonly Node[] | undefined): Promise<Id> {
    const nodes: Node[] = [];
    for (const [name, child] of dir.children) {
      if (isVirtual(child)) {
        nodes.push(await new VirtualTreeWriter(this.writer, this.polynomial, this.req, this.counts).node(name, child));
        continue;
      }
      const path = child.path!;
      const nameBytes = Buffer.from(name);
      const parentNode = parent && findNode(parent, nameBytes);
      let st: StatFields;
      try {
        st = (child.target ? this.req.scanAhead?.rootStat(Buffer.from(path)) : undefined) ?? lstatSync(path, { bigint: true });
      } catch (e) {
        // A missing parent (`/nope` of `/nope/dir`) is the same user mistake as a missing target.
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        if (child.target) throw new LifeboatError('SOURCE_NOT_FOUND', `cannot back up ${path}: ${code}; check the path`, { cause: e });
        throw new LifeboatError('SOURCE_NOT_FOUND', `cannot back up ${firstTarget(child)}: ${path}: ${code}; check the path`, { cause: e });
      }
      if (child.target) {
        const node = await nodeOf(await this.archiveEntry(nameBytes, Buffer.from(path), st, parentNode));
        if (node) nodes.push(node);
      } else {
        const sub = parentNode?.type === 'dir' && parentNode.subtree ? await this.loadTree(parentNode.subtree) : undefined;
        const subtree = await this.writeVirtual(child, sub);
        nodes.push({ ...nodeFromStat(nameBytes, Buffer.from(path), st, this.names), subtree });
      }
    }
    return (await this.writer.saveBlob('tree', encodeTree(nodes))).id;
  }

  /** One file system entry; resolves to undefined when it is excluded or could not be read. */
  private async archiveEntry(name: Uint8Array, path: Buffer, st: StatFields, parentNode: Node | undefined, xattrListSize?: number): Promise<Pending> {
    // The path as text only when something uses it: decoding it for each entry cost more
    // than the rest of an unchanged file's handling.
    if (!this.exclude.empty && this.exclude.matches(path.toString())) return this.leftOut(path, st);
    let node: Node;
    try {
      node = nodeFromStat(name, path, st, this.names, xattrListSize);
    } catch (e) {
      this.recordError(path.toString(), e);
      return this.leftOut(path, st);
    }
    if (node.type === 'dir') return this.archiveDir(node, path, parentNode);
    if (node.type !== 'file') return settled(node);
    return this.archiveFile(node, path, parentNode);
  }

  /** An entry not archived: when it is a directory, the scans ahead need not go there. */
  private leftOut(path: Buffer, st: StatFields): Pending {
    if (isDirMode(st.mode)) this.req.scanAhead?.skip(path);
    return NOTHING;
  }

  /**
   * Walks a directory and returns once every entry below it has been handed over; its node
   * is ready when their contents are stored. The walk goes on meanwhile, so workers reading
   * a large file never hold up the files after it.
   */
  private async archiveDir(node: Node, path: Buffer, parentNode: Node | undefined): Promise<Pending> {
    this.req.signal?.throwIfAborted();
    let stated: Stated[];
    try {
      stated = this.statEntries(path);
    } catch (e) {
      this.recordError(path.toString(), e);
      return NOTHING;
    }
    const parentTree = parentNode?.type === 'dir' && parentNode.subtree ? await this.loadTree(parentNode.subtree) : undefined;
    await this.pacer.turn();
    const parentNodes = parentTree && matchNodes(stated.map((x) => x.entry), parentTree);
    const archive = (i: number) => {
      const { entry, childPath, st, xattrListSize } = stated[i]!;
      return this.archiveEntry(entry, childPath, st, parentNodes?.[i], xattrListSize);
    };
    const files: number[] = [];
    const dirs: number[] = [];
    for (let i = 0; i < stated.length; i++) (isDirMode(stated[i]!.st.mode) ? dirs : files).push(i);
    // In the entries' (name) order, whatever order they are archived in.
    const pending = new Array<Pending>(stated.length);
    if (this.batches) {
      for (const i of files) pending[i] = await archive(i);
      await this.batches.flush();
    } else {
      // Without workers files are read here, several at a time (the writer's byte budget,
      // not this window, bounds their bytes).
      const read = await mapConcurrent(files, ENTRY_WINDOW, archive);
      files.forEach((i, k) => (pending[i] = read[k]!));
    }
    // Subdirectories go one after another: walking them concurrently would hold that many
    // directories' old and new nodes at once, which made a re-backup's memory grow with the
    // number of files.
    for (const i of dirs) pending[i] = await archive(i);
    const done = (async () => {
      const children: Node[] = [];
      for (const p of pending) {
        const n = p !== undefined && 'done' in p ? await p.done : p;
        if (n) children.push(n);
      }
      const reuse = parentTree !== undefined && parentNode?.subtree && this.writer.has('tree', parentNode.subtree) && sameTree(children, parentTree);
      const subtree = reuse ? parentNode.subtree! : (await this.writer.saveBlob('tree', encodeTree(children))).id;
      if (!parentNode || parentNode.type !== 'dir') this.counts.dirsNew++;
      else if (parentNode.subtree === subtree) this.counts.dirsUnmodified++;
      else this.counts.dirsChanged++;
      return { ...node, subtree };
    })();
    done.catch(() => undefined); // awaited by the parent; marked handled if the run stops first
    return { done };
  }

  /**
   * A directory's entries with their lstat: from the scans ahead, else in one native call
   * per directory where the helper is built (see scanDir), else readdir and one lstat each. An entry that cannot be
   * stated is recorded as an error and left out. Throws when the directory cannot be read.
   */
  private statEntries(path: Buffer): Stated[] {
    const stated: Stated[] = [];
    const scanned = this.req.scanAhead?.take(path) ?? scanDir(path);
    const entries = scanned ?? readdirSync(path, { encoding: 'buffer' }).map((name) => ({ name, stat: undefined, xattrListSize: undefined }));
    for (const { name, stat, xattrListSize } of entries) {
      const childPath = Buffer.allocUnsafe(path.length + 1 + name.length);
      childPath.set(path, 0);
      childPath[path.length] = SLASH;
      childPath.set(name, path.length + 1);
      try {
        // A scan's failed entry is asked again, for Node's own error (or it is back).
        const st = stat ?? lstatSync(childPath, { bigint: true });
        stated.push({ entry: name, childPath, st, xattrListSize: stat ? xattrListSize : undefined });
      } catch (e) {
        this.recordError(childPath.toString(), e);
      }
    }
    return stated;
  }

  private async archiveFile(node: Node, path: Buffer, parentNode: Node | undefined): Promise<Pending> {
    this.counts.bytesProcessed += node.size;
    if (parentNode && this.unchanged(node, parentNode)) {
      this.counts.filesUnmodified++;
      this.reporter.progress?.(this.counts, () => path.toString());
      // The node was made for this entry and is not shared yet: it takes the old content as
      // it is, rather than being copied (a re-backup does this for every file).
      (node as { content: Node['content'] }).content = parentNode.content;
      return node;
    }
    if (!this.batches) return settled(await this.readHere(node, path, parentNode));
    const { done } = await this.batches.add(path, node.size, parentNode ? (parentNode.content ?? []) : undefined);
    const read = done.then((c) => {
      if ('error' in c) {
        this.recordError(path.toString(), c.error);
        return undefined;
      }
      return this.fileRead(node, path, parentNode, c.ids, c.size);
    });
    // Awaited by the directory once it is walked; until then a failure must not count as unhandled.
    read.catch(() => undefined);
    return { done: read };
  }

  /** Reads a file on this thread (no workers) and queues its chunks. */
  private async readHere(node: Node, path: Buffer, parentNode: Node | undefined): Promise<Node | undefined> {
    const ids: Promise<Id>[] = [];
    let size = 0;
    const ok = await (node.size >= CHUNK_MIN_SIZE ? this.readingLarge : this.reading)(async () => {
      // A chunker per file being read (its state is per stream), lent only if the file needs one.
      let chunker: Chunker | undefined;
      try {
        // for-of closes the generator (its fd, its chunker) also when the writer throws.
        for (const chunk of readFileChunks(path, () => (chunker = this.spareChunkers.pop() ?? new Chunker(this.polynomial)), node.size)) {
          size += chunk.length;
          ids.push((await this.writer.queueData(chunk)).id);
        }
        return true;
      } catch (e) {
        if (isLifeboatError(e)) throw e; // repository trouble: not a source problem
        this.recordError(path.toString(), e);
        return false;
      } finally {
        // readFileChunks has reset it (finish) by the time it returns or throws.
        if (chunker) this.spareChunkers.push(chunker);
      }
    });
    if (!ok) return undefined;
    return this.fileRead(node, path, parentNode, await Promise.all(ids), size);
  }

  private fileRead(node: Node, path: Buffer, parentNode: Node | undefined, content: readonly Id[], size: number): Node {
    this.counts.bytesRead += size;
    if (parentNode) this.counts.filesChanged++;
    else this.counts.filesNew++;
    this.reporter.progress?.(this.counts, () => path.toString());
    // The size recorded is what was read: restic restores exactly `size` bytes.
    return { ...node, size, content: [...content] };
  }

  /** restic's rule: same type, size, mtime, ctime and inode, and all content still stored. */
  private unchanged(node: Node, old: Node): boolean {
    return (
      old.type === 'file' &&
      old.size === node.size &&
      old.mtime.unixNs === node.mtime.unixNs &&
      old.ctime.unixNs === node.ctime.unixNs &&
      old.inode === node.inode &&
      old.content !== null &&
      old.content.every((id) => this.writer.has('data', id))
    );
  }

  private async loadTree(id: Id): Promise<Node[]> {
    return decodeTree(await this.repo.loadBlob('tree', id));
  }

  private recordError(path: string, e: unknown): void {
    const code = (e as NodeJS.ErrnoException)?.code;
    const err = { path, message: code ? `${code}: ${(e as Error).message.replace(/^[A-Z]+: /, '')}` : String((e as Error)?.message ?? e) };
    this.errors.push(err);
    this.reporter.error?.(err);
  }
}

const SLASH = 0x2f;
const isDirMode = (mode: bigint) => (Number(mode) & 0o170000) === 0o040000;

/** A directory entry with its lstat (and, from a scan, the size of its xattr list). */
interface Stated {
  readonly entry: Buffer;
  readonly childPath: Buffer;
  readonly st: StatFields;
  readonly xattrListSize: number | undefined;
}
const ENTRY_WINDOW = 16;
/** A worker holds at most a few ms of chunks awaiting the main thread's decision: answer at least this often. */
const WALK_TURN_MS = 2;
const FILES_READ_AT_ONCE = 8;
const LARGE_FILES_READ_AT_ONCE = 2;

function nodeTemplate(filename: string, time: GoTime, req: BackupRequest): Node {
  return {
    name: Buffer.from(filename),
    type: 'file',
    mode: 0o644,
    mtime: time,
    atime: time,
    ctime: time,
    uid: req.uid,
    gid: req.gid,
    user: req.username,
    group: '',
    inode: 0n,
    deviceId: 0n,
    size: 0,
    links: 1,
    linktarget: new Uint8Array(0),
    extendedAttributes: [],
    device: 0n,
    content: [],
    subtree: null,
    error: '',
  };
}

/** The first path to back up below a parent directory, for messages about that parent. */
function firstTarget(dir: VirtualDir): string {
  if (dir.target || dir.children.size === 0) return dir.path ?? '/';
  const first = dir.children.values().next().value as VirtualDir;
  return firstTarget(first);
}
