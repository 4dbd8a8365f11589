import type { MasterKey } from '../crypto/index.js';
import { GarbageMeter, WorkerPool, nextTurn, transferable } from '../lib/index.js';
import type { Id } from '../model/index.js';
import { ScratchCodec, type PackedBlob, type Repository } from '../repo/index.js';
import { loadChecked } from './checked-load.js';
import { PackStreams, packPieces, type StreamReply, type StreamTask } from './pack-stream.js';
import { checkIndexLayout, type PackVerdict } from './pack-verify.js';

/** A pack is read in pieces of about this size (cut after the blob that reaches it). */
const PIECE = 4 * 1024 * 1024;
/**
 * A thread reading a local pack itself reads pieces of this size (cut the same way) into
 * one reused buffer: reads from the page cache are cheap, and the buffer stays small.
 */
const FILE_PIECE = 1024 * 1024;
/** Pieces of one pack read and not yet verified. */
const PIECES_AHEAD = 2;
/** Packs a worker has in hand at once. */
const WORKER_PACKS = 3;

/**
 * Verifies packs on this thread and on `workers` worker threads, each pack pinned to one
 * of them (its running hash lives there). With this thread doing its share, one worker
 * fewer keeps every core busy, and each worker thread costs tens of MiB (heap, scratch
 * buffers, its own malloc arena). Packs are read in pieces, so memory for pack data is a
 * few pieces per thread whatever the pack size.
 */
export class PackVerifier {
  private readonly pool: WorkerPool<StreamTask, StreamReply> | undefined;
  private readonly streams: PackStreams;
  /** Dropped pieces are collected promptly, not when V8 gets round to it. */
  private readonly garbage = new GarbageMeter(4 * 1024 * 1024);
  /** Packs being verified per thread: 0 is this one, i > 0 is worker i - 1. */
  private readonly active: number[];
  /** Calls of verify waiting for a thread with room. */
  private readonly waiting: (() => void)[] = [];
  private mainBusy = false;

  constructor(
    key: MasterKey,
    private readonly workers: number,
    private readonly pieceSize = PIECE,
  ) {
    this.pool = workers > 0 ? new WorkerPool(new URL('./pack-verify-worker.js', import.meta.url), { key }, workers) : undefined;
    this.streams = new PackStreams(key, new ScratchCodec(key));
    this.active = Array.from({ length: workers + 1 }, () => 0);
  }

  /**
   * Packs worth reading at once: WORKER_PACKS per worker (one verifying, the others queued,
   * so a worker has work while this thread is busy with its own) and one on this thread,
   * which also reads and dispatches and so takes a pack only when the workers are full.
   */
  get packsAtOnce(): number {
    return WORKER_PACKS * this.workers + 1;
  }

  /**
   * Reads and verifies one pack of `size` bytes (as listed). Intact packs are read once, in
   * pieces; one that is not (or whose index entries overlap, or that changed size) is read
   * again whole and judged by verifyPack, which names every problem. Undefined when the
   * pack is not there.
   */
  async verify(repo: Repository, pack: Id, size: number, indexed: readonly PackedBlob[]): Promise<{ bytes: number; verdict: PackVerdict } | undefined> {
    let thread: number;
    while ((thread = this.pick()) < 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active[thread]!++;
    try {
      if (await this.streamed(repo, thread, pack, size, indexed)) {
        return { bytes: size, verdict: { actualId: pack, headerMismatches: [], mismatchedBlobs: [], good: indexed, corrupt: [] } };
      }
      const loaded = await loadChecked(repo, 'data', pack);
      if (!loaded.ok) return undefined;
      const verdict = (await this.send(thread, { kind: 'whole', bytes: loaded.value, indexed })) as PackVerdict;
      return { bytes: loaded.value.length, verdict };
    } finally {
      this.active[thread]!--;
      this.waiting.shift()?.();
    }
  }

  /**
   * While this thread has other work (the tree check), it takes no packs: they wait for a
   * worker. Without workers this thread verifies regardless.
   */
  set mainThreadBusy(busy: boolean) {
    this.mainBusy = busy && this.workers > 0;
    if (!this.mainBusy) for (const w of this.waiting.splice(0)) w();
  }

  close(): Promise<void> {
    return this.pool?.close() ?? Promise.resolve();
  }

  /** True when the pack is intact; false when it must be judged whole. */
  private async streamed(repo: Repository, thread: number, pack: Id, size: number, indexed: readonly PackedBlob[]): Promise<boolean> {
    let overlaps = false;
    checkIndexLayout(indexed, () => (overlaps = true));
    if (overlaps || indexed.length === 0 || indexed.some((b) => b.offset + b.length > size)) return false;
    // A local repository: the verifying thread reads the file itself, so a worker never
    // waits for this thread to pass it pieces.
    const path = repo.backend.localFile?.({ type: 'data', name: pack });
    if (path !== undefined) return (await this.send(thread, { kind: 'file', pack, path, size, indexed, pieceSize: Math.min(this.pieceSize, FILE_PIECE) })) === true;
    const sent: Promise<StreamReply>[] = [];
    let start = 0;
    try {
      for (const p of packPieces(indexed, this.pieceSize)) {
        const bytes = await loadChecked(repo, 'data', pack, { offset: p.start, length: p.end - p.start });
        if (!bytes.ok) return false;
        sent.push(this.send(thread, { kind: 'piece', pack, bytes: bytes.value, blobs: p.blobs }));
        if (sent.length >= PIECES_AHEAD) await sent.shift();
        start = p.end;
      }
      const tail = await loadChecked(repo, 'data', pack, { offset: start, length: size - start });
      if (!tail.ok) return false;
      await Promise.all(sent);
      const intact = (await this.send(thread, { kind: 'finish', pack, bytes: tail.value, size, indexed })) === true;
      sent.length = 0;
      return intact;
    } finally {
      if (sent.length > 0) {
        await Promise.allSettled(sent);
        await this.send(thread, { kind: 'drop', pack });
      }
    }
  }

  /**
   * The worker with the fewest packs while it has room for one more (see packsAtOnce), else
   * this thread when it is free; -1 when no thread can take a pack now.
   */
  private pick(): number {
    let best = -1;
    for (let t = 1; t < this.active.length; t++) if (this.active[t]! < WORKER_PACKS && (best < 0 || this.active[t]! < this.active[best]!)) best = t;
    if (best < 0 && !this.mainBusy && this.active[0]! === 0) best = 0;
    return best;
  }

  private async send(thread: number, task: StreamTask): Promise<StreamReply> {
    if (thread === 0 || !this.pool) {
      // Work done here is synchronous: the workers' answers go first.
      if (this.pool) await nextTurn();
      const reply = this.streams.handle(task);
      if (task.kind !== 'drop' && task.kind !== 'file') this.garbage.add(task.bytes.length);
      return reply;
    }
    if (task.kind === 'drop' || task.kind === 'file') return this.pool.run(task, [], thread - 1);
    const own = transferable(task.bytes);
    return this.pool.run({ ...task, bytes: own }, [own.buffer as ArrayBuffer], thread - 1);
  }
}
