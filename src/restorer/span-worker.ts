// Worker thread for restore: opens the blobs of one pack span and writes them into the files
// that need them (see span-write.ts). Started by writeContents.
import { workerData } from 'node:worker_threads';
import { GarbageMeter, serveTasks } from '../lib/index.js';
import { ScratchCodec, type Repository } from '../repo/index.js';
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
