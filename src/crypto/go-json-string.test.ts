import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { goJsonString } from './go-json-string.js';

test('escapes exactly as Go 1.19 encoding/json does', () => {
  assert.equal(goJsonString('plain ü 🔑'), '"plain ü 🔑"');
  assert.equal(goJsonString('"\\/'), '"\\"\\\\/"');
  assert.equal(goJsonString('\n\r\t\b\f\x00\x1f'), '"\\n\\r\\t\\u0008\\u000c\\u0000\\u001f"');
  assert.equal(goJsonString('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
  assert.equal(goJsonString('\u2028\u2029\x7f'), '"\\u2028\\u2029\x7f"');
  assert.equal(goJsonString('a\ud800b'), '"a\ufffdb"');
});

test('JSON.parse reads back every well-formed string', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      assert.equal(JSON.parse(goJsonString(s)), s);
    }),
    { numRuns: 500 },
  );
});
