import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;
let gc: Gc | null | undefined;

function collector(): Gc | null {
  if (gc === undefined) {
    try {
      // The standard way to reach V8's collector without a command-line flag.
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/**
 * Bounds the garbage of large buffers by design. A thread that receives or allocates big
 * ArrayBuffers and drops them allocates almost no JavaScript objects, so V8 sees no reason to
 * collect, and hundreds of MiB of dead buffers stay resident. `add(bytes)` counts bytes
 * dropped; every `every` bytes it runs a young-generation collection, which frees the dead
 * buffers' memory and costs well under a millisecond when few objects are alive.
 */
export class GarbageMeter {
  private pending = 0;

  constructor(private readonly every: number) {}

  add(bytes: number): void {
    this.pending += bytes;
    if (this.pending < this.every) return;
    this.pending = 0;
    collector()?.({ type: 'minor', execution: 'sync' });
  }
}

/**
 * A full collection, now: after a phase that made many short-lived objects, V8 keeps its heap
 * grown; collecting lets it shrink before the next phase adds its own. Does nothing where
 * V8's collector cannot be reached.
 */
export function fullCollection(): void {
  collector()?.({ type: 'major', execution: 'sync' });
}
