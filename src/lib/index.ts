export { type Clock, systemClock } from './clock.js';
export { mapConcurrent } from './map-concurrent.js';
export { PathPattern } from './path-pattern.js';
export { WorkerPool, transferable, type TaskReply } from './worker-pool.js';
export { serveTasks, ownedBuffer } from './serve-tasks.js';
export { limiter } from './limiter.js';
export { GarbageMeter, fullCollection } from './garbage-meter.js';
export { EventLoopPacer, nextTurn } from './event-loop-pacer.js';
export { FileRangeReader } from './file-range-reader.js';
