// Worker thread: compresses and encrypts blobs (and verifies them on the way back), the
// CPU-heavy half of a backup, restore or check. Started by BlobWorkerPool.
import { parentPort, workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import { openBlob, sealBlob } from './blob-codec.js';
import type { BlobTask, BlobReply } from './blob-worker-protocol.js';

const key = workerData.key as MasterKey;

parentPort!.on('message', (task: BlobTask) => {
  let reply: BlobReply;
  try {
    if (task.op === 'seal') {
      const s = sealBlob(key, task.id, task.plain, task.mode, task.isTree);
      reply = { seq: task.seq, ok: true, data: s.sealed, uncompressedLength: s.uncompressedLength };
    } else {
      const plain = openBlob(key, task.id, task.sealed, task.uncompressedLength);
      reply = { seq: task.seq, ok: true, data: plain, uncompressedLength: 0 };
    }
  } catch (e) {
    const err = e instanceof LifeboatError ? { code: e.code, message: e.message, data: e.data } : { code: 'INTERNAL' as const, message: String((e as Error)?.message ?? e), data: {} };
    reply = { seq: task.seq, ok: false, error: err };
  }
  const transfer = reply.ok && reply.data.byteOffset === 0 && reply.data.byteLength === reply.data.buffer.byteLength ? [reply.data.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(reply, transfer);
});
