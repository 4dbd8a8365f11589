import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { phpSerializedStrings, presetProbes } from './preset-probes.js';

const php = (entries: Record<string, string>): string => {
  const items = Object.entries(entries).map(([k, v]) => `s:${Buffer.byteLength(k)}:"${k}";s:${Buffer.byteLength(v)}:"${v}";`);
  return `a:${items.length}:{${items.join('')}}`;
};

test('Mautic api_keys: the ciphertext strings are pulled out of the PHP array, names and plain values are not', () => {
  const s = php({ client_id: 'plain', password: 'QUJD|REVG', 'key with ü': 'WFla|WFla' });
  assert.deepEqual(phpSerializedStrings(s), ['QUJD|REVG', 'WFla|WFla']);
});

test('any serialized array of ciphertexts gives them all back; garbage gives none, never a throw', () => {
  const arbCt = fc.tuple(fc.base64String({ minLength: 4, maxLength: 40 }), fc.base64String({ minLength: 4, maxLength: 24 })).filter(([a, b]) => a.length > 0 && b.length > 0).map(([a, b]) => `${a}|${b}`);
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !k.includes('"')), arbCt, { maxKeys: 6 }), (d) => {
      assert.deepEqual(phpSerializedStrings(php(d)).sort(), Object.values(d).sort());
    }),
  );
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (junk) => void phpSerializedStrings(junk)));
  assert.deepEqual(phpSerializedStrings('s:99999999:"x";'), []);
});

test('presets bring their probes; unknown presets none', () => {
  assert.deepEqual(presetProbes('decidim').map((p) => p.format), ['decidim-attribute', 'decidim-attribute', 'decidim-attribute', 'rails-credentials']);
  assert.deepEqual(presetProbes('mautic').map((p) => p.keys[0]), ['secret_key']);
  assert.deepEqual(presetProbes(null), []);
});
