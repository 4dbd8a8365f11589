import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from './index.js';

test('every command entry loads the command of its name', async () => {
  const loaded = await Promise.all(COMMANDS.map((e) => e.load()));
  assert.deepEqual(loaded.map((c) => c.name), COMMANDS.map((e) => e.name));
  for (const c of loaded) assert.equal(typeof c.run, 'function', c.name);
  assert.equal(new Set(COMMANDS.map((e) => e.name)).size, COMMANDS.length);
});
