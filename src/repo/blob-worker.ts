// Worker thread: hashes, compresses and encrypts blobs (and verifies them on the way back),
// the CPU-heavy half of a backup, restore or check. Started by BlobWorkerPool.
import { parentPort, workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import { blobId, openBlob, sealBlob } from './blob-codec.js';
import type { BlobReply, BlobTask } from './blob-worker-protocol.js';

const key = workerData.key as MasterKey;
/** Data hashed and waiting for the main thread's decision, by the seq of its hash task. */
const held = new Map<number, { id: string; plain: Uint8Array }>();

function handle(task: BlobTask): BlobReply {
  switch (task.op) {
    case 'seal': {
      const s = sealBlob(key, task.id, task.plain, task.mode, task.isTree);
      return { seq: task.seq, ok: true, data: s.sealed, uncompressedLength: s.uncompressedLength };
    }
    case 'open':
      return { seq: task.seq, ok: true, data: openBlob(key, task.id, task.sealed, task.uncompressedLength), uncompressedLength: 0 };
    case 'hash': {
      const id = blobId(task.plain);
      held.set(task.seq, { id, plain: task.plain });
      return { seq: task.seq, ok: true, id, uncompressedLength: 0 };
    }
    case 'seal-held': {
      const h = held.get(task.held);
      held.delete(task.held);
      if (!h) throw new LifeboatError('INTERNAL', `no held blob for task ${task.held}`);
      const s = sealBlob(key, h.id, h.plain, task.mode, task.isTree);
      return { seq: task.seq, ok: true, data: s.sealed, uncompressedLength: s.uncompressedLength };
    }
    case 'drop':
      held.delete(task.held);
      return { seq: task.seq, ok: true, uncompressedLength: 0 };
  }
}

parentPort!.on('message', (task: BlobTask) => {
  let reply: BlobReply;
  try {
    reply = handle(task);
  } catch (e) {
    const err = e instanceof LifeboatError ? { code: e.code, message: e.message, data: e.data } : { code: 'INTERNAL' as const, message: String((e as Error)?.message ?? e), data: {} };
    reply = { seq: task.seq, ok: false, error: err };
  }
  const d = reply.ok ? reply.data : undefined;
  const transfer = d && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? [d.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(reply, transfer);
});
