import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;
let gc: Gc | null | undefined;

/**
 * A full collection, now. After a phase that made a lot of short-lived objects (decoding
 * every tree of a snapshot into nodes), V8 keeps its young generation grown to tens of
 * MiB; a full collection lets it shrink before the next phase adds its own buffers, so the
 * two do not add up to the peak. Does nothing where V8's collector cannot be reached.
 */
export function trimHeap(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  gc?.({ type: 'major', execution: 'sync' });
}
