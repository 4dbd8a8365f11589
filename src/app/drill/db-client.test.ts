import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLifeboatError } from '../../errors/index.js';
import { stayInDatabase } from './db-client.js';

/** Splits bytes at the given cut points. */
async function* chunks(b: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (b.length + 1)))].sort((x, y) => x - y)) {
    yield b.subarray(at, c);
    at = c;
  }
  yield b.subarray(at);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<{ bytes: string; error?: unknown }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const c of it) parts.push(c);
    return { bytes: Buffer.concat(parts).toString('latin1') };
  } catch (error) {
    return { bytes: Buffer.concat(parts).toString('latin1'), error };
  }
}

const SAFE_LINE = fc.oneof(
  fc.constant("INSERT INTO `t` VALUES (1,'USE x;'),(2,'CREATE DATABASE y');"),
  fc.constant('/*!40101 SET NAMES utf8mb4 */;'),
  fc.constant('CREATE TABLE `users` (id int);'),
  fc.constant('-- Dump completed'),
  fc.constant(''),
  fc.string({ maxLength: 100 }).map((s) => s.replace(/\n/g, ' ').replace(/^\s*(use|create|drop|connect|\\)/i, 'x')),
);
const BAD_LINE = fc.constantFrom('USE `live_db`;', 'use live;', '  CREATE DATABASE /*!32312 IF NOT EXISTS*/ `live`;', 'DROP DATABASE IF EXISTS `x`;', 'CREATE SCHEMA s;');

test('a dump that stays in its database passes byte for byte, however it is cut', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(SAFE_LINE, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), async (lines, cuts) => {
      const text = lines.join('\n') + (lines.length % 2 ? '\n' : '');
      const r = await collect(stayInDatabase(chunks(Buffer.from(text, 'latin1'), cuts)));
      assert.equal(r.error, undefined);
      assert.equal(r.bytes, text);
    }),
  );
});

test('a line that switches database is stopped before any of it is passed on', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(SAFE_LINE, { maxLength: 10 }), BAD_LINE, fc.array(SAFE_LINE, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), async (before, bad, after, cuts) => {
      const text = [...before, bad, ...after].join('\n') + '\n';
      const r = await collect(stayInDatabase(chunks(Buffer.from(text, 'latin1'), cuts)));
      assert.ok(isLifeboatError(r.error, 'RESTORE_FAILED'), String(r.error));
      const start = text.indexOf(bad);
      assert.ok(r.bytes.length <= start, 'no byte of the switching line reached the server');
      assert.equal(r.bytes, text.slice(0, r.bytes.length));
    }),
  );
});
