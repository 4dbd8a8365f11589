import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { WorkerPool } from './worker-pool.js';

/** A worker that doubles `n`, after waiting `wait` ms when asked to. */
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-worker-pool-'));
const script = join(dir, 'double.mjs');
writeFileSync(
  script,
  `import { serveTasks } from ${JSON.stringify(new URL('./serve-tasks.js', import.meta.url).href)};
serveTasks(async (task) => {
  if (task.wait) await new Promise((r) => setTimeout(r, task.wait));
  return { value: task.n * 2 };
});
`,
);
after(() => rmSync(dir, { recursive: true, force: true }));

describe('WorkerPool', () => {
  test('leastLoaded picks the worker with the fewest tasks in flight, never the one excluded unless it is the only one', async () => {
    const pool = new WorkerPool<{ n: number; wait?: number }, number>(pathToFileURL(script), {}, 3);
    try {
      const slow = [pool.run({ n: 1, wait: 300 }, [], 0), pool.run({ n: 2, wait: 300 }, [], 0), pool.run({ n: 3, wait: 300 }, [], 2)];
      assert.equal(pool.leastLoaded(), 1, 'worker 1 has nothing to do');
      assert.equal(pool.leastLoaded(1), 2, 'without worker 1, worker 2 has fewer tasks than worker 0');
      assert.deepEqual(await Promise.all(slow), [2, 4, 6]);
      assert.equal(pool.leastLoaded(0), 1, 'all idle: the first one that is not excluded');
    } finally {
      await pool.close();
    }
    const one = new WorkerPool<{ n: number }, number>(pathToFileURL(script), {}, 1);
    try {
      assert.equal(one.leastLoaded(0), 0, 'the only worker, even when excluded');
      assert.equal(await one.run({ n: 21 }), 42);
    } finally {
      await one.close();
    }
  });
});
