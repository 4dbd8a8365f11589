// Worker thread: hashes, compresses and encrypts blobs (and opens and verifies them on the
// way back), the CPU-heavy half of a backup or restore. Started by BlobWorkerPool.
import { workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import { GarbageMeter } from '../lib/garbage-meter.js';
import { ownedBuffer, serveTasks } from '../lib/serve-tasks.js';
import { blobId } from './blob-codec.js';
import type { BlobResult, BlobTask } from './blob-worker-protocol.js';
import { ScratchCodec } from './scratch-codec.js';

const codec = new ScratchCodec(workerData.key as MasterKey);
/** Plaintexts dropped after sealing: their memory comes back only when collected. */
const garbage = new GarbageMeter(16 * 1024 * 1024);
/** Data hashed and waiting for the main thread's decision, by ticket. */
const held = new Map<number, { id: string; plain: Uint8Array }>();

function handle(task: BlobTask): BlobResult {
  switch (task.op) {
    case 'seal': {
      const s = codec.seal(task.id, task.plain, task.mode, task.isTree);
      garbage.add(task.plain.length);
      return { data: s.sealed, uncompressedLength: s.uncompressedLength };
    }
    case 'open':
      // A copy of exactly its size: the codec's result lives in scratch memory.
      return { data: new Uint8Array(codec.open(task.id, task.sealed, task.uncompressedLength)), uncompressedLength: 0 };
    case 'hash': {
      const id = blobId(task.plain);
      held.set(task.ticket, { id, plain: task.plain });
      return { id, uncompressedLength: 0 };
    }
    case 'seal-held': {
      const h = held.get(task.ticket);
      held.delete(task.ticket);
      if (!h) throw new LifeboatError('INTERNAL', `no held blob for ticket ${task.ticket}`);
      const s = codec.seal(h.id, h.plain, task.mode, task.isTree);
      garbage.add(h.plain.length);
      return { data: s.sealed, uncompressedLength: s.uncompressedLength };
    }
    case 'drop':
      garbage.add(held.get(task.ticket)?.plain.length ?? 0);
      held.delete(task.ticket);
      return { uncompressedLength: 0 };
  }
}

serveTasks<BlobTask, BlobResult>((task) => {
  const value = handle(task);
  return { value, transfer: ownedBuffer(value.data) };
});
