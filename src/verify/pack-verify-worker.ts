// Worker thread for check --read-data: streamed pieces of packs and whole packs (pack-stream.ts).
import { workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
// Named modules, not the lib and repo barrels: each worker thread loads what it imports, and
// repo/index.js alone is some 60 modules (the repository, the writer) that a worker never runs.
import { GarbageMeter } from '../lib/garbage-meter.js';
import { serveTasks } from '../lib/serve-tasks.js';
import { ScratchCodec } from '../repo/scratch-codec.js';
import { PackStreams, type StreamReply, type StreamTask } from './pack-stream.js';

const key = workerData.key as MasterKey;
// Blobs open into reused scratch memory, and each piece read is dropped after it is hashed
// and opened: collecting every few MiB keeps that garbage from piling up.
const streams = new PackStreams(key, new ScratchCodec(key));
const garbage = new GarbageMeter(4 * 1024 * 1024);

serveTasks<StreamTask, StreamReply>((task) => {
  const value = streams.handle(task);
  if (task.kind !== 'drop' && task.kind !== 'file') garbage.add(task.bytes.length);
  return { value };
});
