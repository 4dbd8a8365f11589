import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { JsonNumber, parseJson, type JsonValue } from './parse-json.js';

// parseJson's result in JSON.parse's terms (numbers as numbers, lone surrogates kept aside).
function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const hasLoneSurrogate = (s: string): boolean => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

test('parseJson agrees with JSON.parse on valid JSON and keeps numbers exact', () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 4 }), (text) => {
      const ours = parseJson(text, 'test');
      if (!hasLoneSurrogate(JSON.stringify(JSON.parse(text)))) assert.deepEqual(plain(ours), JSON.parse(text));
    }),
    { numRuns: 1000 },
  );
  const v = parseJson(' [18446744073709551615, -0.5e-3, "\\ud83d\\ude00\\ud800\\u0041", {"__proto__": 1}] ', 'test') as JsonValue[];
  assert.deepEqual(v[0], new JsonNumber('18446744073709551615'));
  assert.deepEqual(v[1], new JsonNumber('-0.5e-3'));
  assert.equal(v[2], '😀\ufffdA');
  assert.equal(Object.getPrototypeOf(v[3]), null);
});

test('parseJson accepts exactly what JSON.parse accepts (up to its nesting cap)', () => {
  const unit = fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', 'u', '0', '1', '-', '.', 'e', 'true', 'null', ' ', '\n', 'a', '\x01');
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit, maxLength: 20 }), fc.json().map((j) => j.slice(0, j.length - 1))), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      try {
        parseJson(text, 'test');
        assert.ok(valid, `accepted ${JSON.stringify(text)}`);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
        assert.ok(!valid, `rejected ${JSON.stringify(text)}`);
      }
    }),
    { numRuns: 5000 },
  );
});

test('parseJson caps nesting instead of overflowing the stack', () => {
  assert.throws(() => parseJson('['.repeat(100_000), 'test'), (e: unknown) => isLifeboatError(e, 'INVALID_DATA'));
  assert.doesNotThrow(() => parseJson('['.repeat(60) + ']'.repeat(60), 'test'));
});
