// Worker thread for restore: opens the blobs of one pack span and writes them into the files
// that need them (see span-write.ts). Started by writeContents.
import { workerData } from 'node:worker_threads';
// Named modules, not the lib and repo barrels: each worker thread loads what it imports, and
// repo/index.js alone is some 60 modules (the repository, the writer) that a worker never runs.
import { GarbageMeter } from '../lib/garbage-meter.js';
import { serveTasks } from '../lib/serve-tasks.js';
import type { Repository } from '../repo/index.js';
import { ScratchCodec } from '../repo/scratch-codec.js';
import { SpanReader, writeSpan, type SpanResult, type SpanTask } from './span-write.js';

const codec = new ScratchCodec(workerData.key as Repository['key']);
const reader = new SpanReader();

/** Each span's bytes are dropped after writing: collected every few spans, not when V8 feels like it. */
const garbage = new GarbageMeter(4 * 1024 * 1024);

serveTasks<SpanTask, SpanResult>((task) => {
  const value = writeSpan(codec, task, reader);
  if (task.bytes) garbage.add(task.bytes.length);
  return { value };
});
