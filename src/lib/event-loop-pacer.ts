import { performance } from 'node:perf_hooks';

/**
 * Lets a long synchronous stretch of work (a walk whose awaits mostly resolve at once) give
 * the event loop a turn now and then. Promises that are already settled run as microtasks,
 * so without a real turn, messages from worker threads wait until the whole stretch is over
 * and the workers sit idle meanwhile. `turn()` costs nothing until `everyMs` have passed.
 */
export class EventLoopPacer {
  private last = performance.now();

  constructor(private readonly everyMs: number) {}

  /** A promise to await when a turn is due, undefined otherwise (so the caller need not await). */
  turn(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.last < this.everyMs) return undefined;
    return nextTurn().then(() => {
      this.last = performance.now();
    });
  }
}

/**
 * Resolves on the next turn of the event loop, after the messages and I/O already queued:
 * what a thread awaits before synchronous work of its own, so that workers' answers (and so
 * their next tasks) are not held up behind it.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
