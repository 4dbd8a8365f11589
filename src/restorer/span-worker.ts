// Worker thread for restore: opens the blobs of one pack span and writes them into the files
// that need them (see span-write.ts). Started by writeContents.
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../lib/index.js';
import { ScratchCodec, type Repository } from '../repo/index.js';
import { writeSpan, type SpanResult, type SpanTask } from './span-write.js';

const codec = new ScratchCodec(workerData.key as Repository['key']);

serveTasks<SpanTask, SpanResult>((task) => ({ value: writeSpan(codec, task) }));
