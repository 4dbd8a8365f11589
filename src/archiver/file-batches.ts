import type { Id } from '../model/index.js';
import { CHUNK_MIN_SIZE, type FileContent, type RepoWriter } from '../repo/index.js';

/** Small files sent to a worker in one task: one message each way instead of one per file. */
const BATCH_FILES = 64;
const BATCH_BYTES = 2 * 1024 * 1024;

interface Waiting {
  resolve(c: FileContent): void;
  reject(e: unknown): void;
}

/**
 * Gathers the files a walk wants read into worker tasks: small files in batches, each large
 * file alone (its worker then streams its chunks while the other workers go on). `add`
 * waits only for room to hand the work over, never for the file to be read.
 */
export class FileBatches {
  private paths: { path: Uint8Array; size: number }[] = [];
  private waiting: Waiting[] = [];
  private bytes = 0;

  constructor(
    private readonly writer: RepoWriter,
    private readonly polynomial: bigint,
  ) {}

  /**
   * `parent`: the file is in the parent snapshot, with other metadata; its content there.
   * A large one is then read by RepoWriter.readChangedFile, which hashes that content in place.
   */
  async add(path: Uint8Array, size: number, parent?: readonly Id[]): Promise<{ readonly done: Promise<FileContent> }> {
    if (size >= CHUNK_MIN_SIZE) {
      const one = parent ? (await this.writer.readChangedFile(path, size, parent, this.polynomial)).done : (await this.writer.readFiles([{ path, size }], this.polynomial)).done.then((r) => r[0]!);
      one.catch(() => undefined); // awaited by the directory; marked handled if the run stops first
      return { done: one };
    }
    const done = new Promise<FileContent>((resolve, reject) => this.waiting.push({ resolve, reject }));
    done.catch(() => undefined); // awaited by the directory; marked handled if the run stops first
    this.paths.push({ path, size });
    this.bytes += size;
    if (this.paths.length >= BATCH_FILES || this.bytes >= BATCH_BYTES) await this.flush();
    return { done };
  }

  /** Sends the files gathered so far. The walk calls this before it waits on any of them. */
  async flush(): Promise<void> {
    if (this.paths.length === 0) return;
    const paths = this.paths;
    const waiting = this.waiting;
    this.paths = [];
    this.waiting = [];
    this.bytes = 0;
    let task: Promise<readonly FileContent[]>;
    try {
      task = (await this.writer.readFiles(paths, this.polynomial)).done;
    } catch (e) {
      for (const w of waiting) w.reject(e);
      throw e;
    }
    task.then(
      (results) => results.forEach((r, i) => waiting[i]!.resolve(r)),
      (e) => waiting.forEach((w) => w.reject(e)),
    );
  }
}
