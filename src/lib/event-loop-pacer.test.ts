import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { EventLoopPacer } from './event-loop-pacer.js';

/** Awaits settled promises for `ms` (as a walk over unchanged files does) and counts how often a queued macrotask got to run meanwhile. */
async function busyLoop(ms: number, pacer?: EventLoopPacer): Promise<number> {
  let ran = 0;
  let stop = false;
  const tick = () => {
    if (stop) return;
    ran++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await Promise.resolve();
    await pacer?.turn();
  }
  const during = ran;
  stop = true;
  return during;
}

test('without turns, a stretch of settled awaits starves the event loop; with them, queued work runs along the way', async () => {
  assert.equal(await busyLoop(30), 0);
  assert.ok((await busyLoop(30, new EventLoopPacer(1))) >= 1);
});

test('no turn is due before everyMs have passed', () => {
  const p = new EventLoopPacer(60_000);
  for (let i = 0; i < 1000; i++) assert.equal(p.turn(), undefined);
});
