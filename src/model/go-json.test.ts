import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { goJsonBytes, goJsonString, goJsonValue } from './go-json.js';

// What Go's JSON decoder (and JSON.parse after Go's encoder) yields: lone surrogates as U+FFFD.
const wellFormed = (s: string): string => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

test('goJsonString: Go 1.19 escapes', () => {
  assert.equal(goJsonString('plain'), '"plain"');
  assert.equal(goJsonString('a<b&c>.txt'), '"a\\u003cb\\u0026c\\u003e.txt"');
  assert.equal(goJsonString('q"b\\'), '"q\\"b\\\\"');
  assert.equal(goJsonString('\n\r\t'), '"\\n\\r\\t"');
  assert.equal(goJsonString('\b\f\x00\x1f'), '"\\u0008\\u000c\\u0000\\u001f"'); // Go 1.19 has no \b or \f
  assert.equal(goJsonString('\x7f/é😀'), '"\x7f/é😀"');
  assert.equal(goJsonString('\u2028\u2029'), '"\\u2028\\u2029"');
  assert.equal(goJsonString('x\ud800y\udc00'), '"x\\ufffdy\\ufffd"');
  assert.equal(goJsonString('\ud83d\ude00<'), '"😀\\u003c"');
});

test('goJsonString: JSON.parse gives the string back, and only ASCII controls are escaped', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('<', '>', '&', '"', '\\', '\u2028', '\ud800', '\udc00', '\x01', 'a', 'é') })), (s) => {
      const j = goJsonString(s);
      assert.equal(JSON.parse(j), wellFormed(s));
      assert.ok(!/[<>&\x00-\x1f\u2028\u2029]/.test(j));
    }),
    { numRuns: 3000 },
  );
});

test('goJsonBytes: each invalid UTF-8 byte becomes \\ufffd, like Go', () => {
  const b = Uint8Array.from([...new TextEncoder().encode('tar'), 0xff, 0xe2, 0x82, ...new TextEncoder().encode('get<')]);
  assert.equal(goJsonBytes(b), '"tar\\ufffd\\ufffd\\ufffdget\\u003c"');
  assert.equal(goJsonBytes(Uint8Array.of(0xef, 0xbf, 0xbd)), '"\ufffd"');
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      assert.equal(goJsonBytes(new TextEncoder().encode(s)), goJsonString(wellFormed(s)));
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 30 }), (b) => {
      assert.equal(JSON.parse(goJsonBytes(b)), goStyleDecode(b));
    }),
  );
});

// Reference decoder: a rune is valid when a strict decoder accepts it on its own; otherwise
// one byte becomes U+FFFD (Go's rule, unlike WHATWG's maximal-subpart replacement).
function goStyleDecode(b: Uint8Array): string {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let out = '';
  outer: for (let i = 0; i < b.length; ) {
    for (let len = 1; len <= 4 && i + len <= b.length; len++) {
      try {
        const s = strict.decode(b.subarray(i, i + len));
        if ([...s].length === 1) {
          out += s;
          i += len;
          continue outer;
        }
      } catch {
        // try a longer sequence
      }
    }
    out += '\ufffd';
    i++;
  }
  return out;
}

test('goJsonValue: plain values', () => {
  assert.equal(goJsonValue({ a: [1, 'x<', true, null], b: 2n ** 64n, c: undefined }), '{"a":[1,"x\\u003c",true,null],"b":18446744073709551616}');
  assert.throws(() => goJsonValue(NaN));
  assert.throws(() => goJsonValue(new Date()));
});
