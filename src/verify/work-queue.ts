/**
 * Runs `fn` over a queue that `fn` itself may extend (a tree walk), with at most `limit`
 * calls in flight. Rejects with the first error; items still running then finish unobserved.
 */
export function drainQueue<T>(initial: readonly T[], limit: number, fn: (item: T, push: (item: T) => void) => Promise<void>): Promise<void> {
  const queue = [...initial];
  let active = 0;
  let failed = false;
  return new Promise((resolve, reject) => {
    const push = (item: T) => queue.push(item);
    const pump = () => {
      if (failed) return;
      if (queue.length === 0 && active === 0) return resolve();
      while (active < limit && queue.length > 0) {
        // Last in, first out: depth first keeps the queue as short as the tree is deep.
        const item = queue.pop()!;
        active++;
        fn(item, push).then(
          () => {
            active--;
            pump();
          },
          (e: unknown) => {
            failed = true;
            reject(e);
          },
        );
      }
    };
    pump();
  });
}
