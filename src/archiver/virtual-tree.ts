import { LifeboatError } from '../errors/index.js';
import { GO_MODE, encodeTree, newNode, type GoTime, type Id, type Node } from '../model/index.js';
import { Chunker, type RepoWriter } from '../repo/index.js';
import type { VirtualFile } from '../sources/index.js';

/** A directory of the root tree being built: real target path components, or synthetic ones holding virtual files. */
export interface VirtualDir {
  readonly path?: string;
  target?: boolean;
  /** A directory that exists only in the snapshot (`/databases`), made for virtual files. */
  synthetic?: boolean;
  /** Set on a leaf that is a virtual file. */
  file?: VirtualFile;
  readonly children: Map<string, VirtualDir>;
}

/**
 * Places virtual files into the root tree next to the real targets. A virtual file may not
 * sit inside a real target or on top of another entry: the snapshot would be ambiguous.
 */
export function placeVirtualFiles(root: VirtualDir, files: readonly VirtualFile[]): void {
  for (const f of files) {
    const parts = f.path.split('/').filter((c) => c !== '');
    if (!f.path.startsWith('/') || parts.length === 0 || parts.some((c) => c === '.' || c === '..')) {
      throw new LifeboatError('INVALID_ARGUMENT', `virtual file path "${f.path}" must be absolute and clean`);
    }
    let dir = root;
    let prefix = '';
    for (let i = 0; i < parts.length; i++) {
      prefix += '/' + parts[i];
      const last = i === parts.length - 1;
      let child = dir.children.get(parts[i]!);
      if (child && (child.target || child.file || (last && !child.synthetic) || (!child.synthetic && !last))) {
        throw new LifeboatError('INVALID_ARGUMENT', `${f.path} would overlap the backed-up path ${prefix}; choose paths that do not nest`);
      }
      if (!child) {
        child = last ? { path: prefix, file: f, children: new Map() } : { path: prefix, synthetic: true, children: new Map() };
        dir.children.set(parts[i]!, child);
      } else if (last) throw new LifeboatError('INVALID_ARGUMENT', `${f.path} is listed twice`);
      dir = child;
    }
  }
}

export function isVirtual(d: VirtualDir): boolean {
  return d.synthetic === true || d.file !== undefined;
}

export interface VirtualOwner {
  readonly time: GoTime;
  readonly uid: number;
  readonly gid: number;
  readonly username: string;
}

export interface VirtualCounts {
  filesNew: number;
  dirsNew: number;
  bytesProcessed: number;
  bytesRead: number;
}

/**
 * Writes synthetic directories and streamed files, strictly one file after another in the
 * order they were listed: a dump's metadata is listed after the dump and is complete only
 * once the dump has been read to its end.
 */
export class VirtualTreeWriter {
  constructor(
    private readonly writer: RepoWriter,
    private readonly polynomial: bigint,
    private readonly owner: VirtualOwner,
    private readonly counts: VirtualCounts,
  ) {}

  async node(name: string, d: VirtualDir): Promise<Node> {
    if (d.file) return this.fileNode(name, d.file);
    const nodes: Node[] = [];
    for (const [childName, child] of d.children) nodes.push(await this.node(childName, child));
    const subtree = (await this.writer.saveBlob('tree', encodeTree(nodes))).id;
    this.counts.dirsNew++;
    // A directory holding only private files (secrets, dumps) is private too once restored.
    const private_ = nodes.length > 0 && nodes.every((n) => n.mode % 0o100 === 0);
    return newNode(name, 'dir', { ...this.meta(), mode: GO_MODE.dir + (private_ ? 0o700 : 0o755), subtree });
  }

  private async fileNode(name: string, f: VirtualFile): Promise<Node> {
    const chunker = new Chunker(this.polynomial);
    const content: Id[] = [];
    let size = 0;
    let pending: Uint8Array[] = [];
    let pendingLen = 0;
    for await (const buf of f.open()) {
      size += buf.length;
      let start = 0;
      for (const cut of chunker.push(buf)) {
        pending.push(buf.subarray(start, cut));
        // A fresh copy: the writer may hand the bytes to a worker (and detach them).
        content.push((await this.writer.saveBlob('data', Buffer.concat(pending, pendingLen + cut - start))).id);
        pending = [];
        pendingLen = 0;
        start = cut;
      }
      if (start < buf.length) {
        // Copied: the producer may reuse its buffer once we ask for the next one.
        pending.push(Buffer.from(buf.subarray(start)));
        pendingLen += buf.length - start;
      }
    }
    chunker.finish();
    if (pendingLen > 0) content.push((await this.writer.saveBlob('data', Buffer.concat(pending, pendingLen))).id);
    this.counts.filesNew++;
    this.counts.bytesProcessed += size;
    this.counts.bytesRead += size;
    return newNode(name, 'file', { ...this.meta(), mode: f.mode ?? 0o600, size, content, links: 1 });
  }

  private meta(): Partial<Node> {
    const t = this.owner.time;
    return { mtime: t, atime: t, ctime: t, uid: this.owner.uid, gid: this.owner.gid, user: this.owner.username };
  }
}
