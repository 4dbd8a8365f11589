import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { goIsPrint, goPrintRanges } from './go-is-print.js';
import { goQuote, goUnquote } from './go-quote.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function assertInvalid(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => isLifeboatError(e, 'INVALID_DATA'));
}

test('goQuote: the name table of the format notes (§8.3)', () => {
  const cases: Array<[Uint8Array, string]> = [
    [bytes('we\\ird "name"\ttab'), 'we\\\\ird \\"name\\"\\ttab'],
    [Uint8Array.from([...bytes('bad'), 0xff, ...bytes('utf8')]), 'bad\\xffutf8'],
    [bytes('new\nline'), 'new\\nline'],
    [bytes('del\x7f'), 'del\\x7f'],
    [bytes('nb\u00a0sp'), 'nb\\u00a0sp'],
    [bytes('emoji😀'), 'emoji😀'],
    [bytes('ünïcødé.txt'), 'ünïcødé.txt'],
    [bytes('a<b&c>.txt'), 'a<b&c>.txt'],
    [bytes('plain name-1.txt'), 'plain name-1.txt'],
  ];
  for (const [raw, quoted] of cases) {
    assert.equal(goQuote(raw), quoted);
    assert.deepEqual(goUnquote(quoted), raw);
  }
});

test('goQuote: every escape form Go uses', () => {
  assert.equal(goQuote(bytes('\x07\b\f\n\r\t\v')), '\\a\\b\\f\\n\\r\\t\\v');
  assert.equal(goQuote(Uint8Array.of(0, 1, 0x1f, 0x7f)), '\\x00\\x01\\x1f\\x7f');
  assert.equal(goQuote(bytes('\u0080\u00ad\u2028\ufeff')), '\\u0080\\u00ad\\u2028\\ufeff');
  assert.equal(goQuote(bytes('\u{e0001}\u{f0000}')), '\\U000e0001\\U000f0000'); // Cf and private use
  assert.equal(goQuote(bytes("'`~")), "'`~");
  // Surrogates, overlong forms and truncated sequences are invalid byte by byte.
  assert.equal(goQuote(Uint8Array.of(0xed, 0xa0, 0x80)), '\\xed\\xa0\\x80');
  assert.equal(goQuote(Uint8Array.of(0xc0, 0xaf, 0xe2, 0x82)), '\\xc0\\xaf\\xe2\\x82');
  assert.equal(goQuote(Uint8Array.of(0xf4, 0x90, 0x80, 0x80)), '\\xf4\\x90\\x80\\x80');
  assert.equal(goQuote(bytes('\ufffd')), '\ufffd'); // a real U+FFFD is printable
  // Assigned after Unicode 13 (Go 1.19): restic 0.14 escapes it.
  assert.equal(goQuote(bytes('\u{1fae0}')), '\\U0001fae0');
});

test('goUnquote: accepts what Go strconv.Unquote accepts', () => {
  assert.deepEqual(goUnquote('\\101\\377\\000'), Uint8Array.of(0x41, 0xff, 0));
  assert.deepEqual(goUnquote('\\xFF\\xab'), Uint8Array.of(0xff, 0xab));
  assert.deepEqual(goUnquote('\\u00e9\\U0001F600'), bytes('é😀'));
  assert.deepEqual(goUnquote('raw\ttab\rcr'), bytes('raw\ttab\rcr'));
  assert.deepEqual(goUnquote('nb\u00a0sp'), bytes('nb\u00a0sp')); // unescaped non-printable rune
  assert.deepEqual(goUnquote('lone \ud800'), bytes('lone \ufffd'));
  assert.deepEqual(goUnquote(''), new Uint8Array(0));
});

test('goUnquote: rejects what Go rejects, with INVALID_DATA', () => {
  for (const bad of ['a"b', 'new\nline', 'end\\', "\\'", '\\q', '\\x4', '\\xg0', '\\u12', '\\ud800', '\\U00110000', '\\400', '\\12', '\\18']) {
    assertInvalid(() => goUnquote(bad));
  }
});

test('goQuote/goUnquote round trip on arbitrary bytes', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 20 }).map(bytes),
        fc.array(fc.constantFrom(0x5c, 0x22, 0x0a, 0xff, 0xc3, 0xa9, 0xe2, 0x80, 0xa8, 0xf0, 0x9f, 0x98, 0x80, 0x41), { maxLength: 20 }).map((a) => Uint8Array.from(a)),
      ),
      (raw) => {
        const q = goQuote(raw);
        assert.deepEqual(goUnquote(q), raw);
        assert.ok(!/["\n\x00-\x1f\x7f]/.test(q.replace(/\\./g, '')), 'no raw controls or quotes');
      },
    ),
    { numRuns: 3000 },
  );
});

test('goUnquote on arbitrary text: bytes or LifeboatError, nothing else', () => {
  const pieces = fc.constantFrom('\\', '"', 'x', 'u', 'U', '0', '7', '8', 'f', 'F', "'", '\n', 'a', 'é', '\ud800');
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(pieces, { maxLength: 16 }).map((a) => a.join(''))), (s) => {
      try {
        assert.ok(goUnquote(s) instanceof Uint8Array);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

test('goIsPrint: Unicode 13 is a subset of what this JS engine calls L, M, N, P or S', () => {
  const re = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
  let ranges = 0;
  for (const [a, b] of goPrintRanges()) {
    ranges++;
    for (let cp = a; cp <= b; cp++) assert.ok(re.test(String.fromCodePoint(cp)), cp.toString(16));
  }
  assert.equal(ranges, 677);
  assert.ok(goIsPrint(0x20) && goIsPrint(0x7e) && !goIsPrint(0x7f) && !goIsPrint(0x1f));
  assert.ok(goIsPrint(0xa1) && !goIsPrint(0xa0) && !goIsPrint(0xad) && !goIsPrint(0x10ffff));
});
