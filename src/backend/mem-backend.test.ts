import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLifeboatError } from '../errors/index.js';
import { runBackendContract } from './backend.contract.js';
import { MemBackend } from './mem-backend.js';

runBackendContract('mem', async () => ({ backend: new MemBackend(), cleanup: async () => {} }));

describe('MemBackend', () => {
  it('names its location in not-found messages', async () => {
    const b = new MemBackend('mem:test');
    await assert.rejects(b.load({ type: 'snapshot', name: 'ab'.repeat(32) }), (e: unknown) => {
      assert.ok(isLifeboatError(e, 'BACKEND_NOT_FOUND'));
      assert.match(e.message, /snapshots\/abababab… not found at mem:test/);
      return true;
    });
  });
});
