import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbDamage, damage } from '../lib/damage.test-util.js';
import { onlyThrowsCodes, throwsCode } from '../repo/repo-fixtures.test-util.js';
import { parseAppManifest, parseDumpManifest, parseKeyInventory } from './app-layout.js';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const APP = { version: 1, app: 'portal', preset: 'decidim', root: '/srv/decidim', sources: [{ kind: 'postgres', database: 'decidim' }, { kind: 'mysql', database: 'crm' }, { kind: 'files', paths: ['/srv/decidim'] }, { kind: 'secrets', names: ['SECRET_KEY_BASE', 'master.key'] }] };
const KEYS = { version: 1, keys: [{ name: 'SECRET_KEY_BASE', kind: 'value', source: '/srv/decidim/.env#SECRET_KEY_BASE', fingerprint: 'ab'.repeat(32), path: '/secrets/values/SECRET_KEY_BASE' }] };
const DUMP = { version: 1, engine: 'postgres', database: 'decidim', dump: 'decidim.pgdump', serverVersion: '15.19', toolVersion: 'pg_dump (PostgreSQL) 15.19', tables: [{ name: 'public.users', rows: 12345 }], dumpedAt: '2026-12-01T08:00:00Z' };

test('the shared layout files are read as the shared formats say', () => {
  const a = parseAppManifest(enc(APP));
  assert.deepEqual([a.app, a.preset, a.root, a.databases, a.secrets], ['portal', 'decidim', '/srv/decidim', ['postgres/decidim', 'mysql/crm'], ['SECRET_KEY_BASE', 'master.key']]);
  assert.deepEqual(parseAppManifest(enc({ ...APP, preset: null, root: null, sources: [] })).databases, []);
  assert.deepEqual(parseKeyInventory(enc(KEYS)), KEYS.keys);
  const d = parseDumpManifest(enc(DUMP), '/databases/postgres/decidim.json');
  assert.deepEqual([d.engine, d.database, d.dump, d.tables], ['postgres', 'decidim', 'decidim.pgdump', [{ name: 'public.users', rows: 12345 }]]);
});

test('wrong shapes are INVALID_DATA naming the file and the field, never a value', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => parseAppManifest(enc({ ...APP, version: 2 })), /app\.json has version 2/],
    [() => parseAppManifest(enc({ ...APP, sources: [{ kind: 'postgres' }] })), /sources\[0\]\.database/],
    [() => parseKeyInventory(enc({ version: 1, keys: [{ ...KEYS.keys[0], fingerprint: 'secret-value' }] })), /fingerprint is not 64 hex/],
    [() => parseKeyInventory(enc({ version: 1, keys: [{ ...KEYS.keys[0], path: '/etc/passwd' }] })), /path is not a path under \/secrets/],
    [() => parseDumpManifest(enc({ ...DUMP, dump: '../x' }), 'd.json'), /dump is not a file name/],
    [() => parseDumpManifest(enc({ ...DUMP, tables: [{ name: 't', rows: -1 }] }), 'd.json'), /tables\[0\]/],
    [() => parseDumpManifest(enc('[]'), 'd.json'), /not a JSON object/],
  ];
  for (const [fn, re] of cases) {
    const e = throwsCode(fn, 'INVALID_DATA');
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /secret-value/);
  }
});

test('damaged or truncated files never crash the readers', () => {
  const parsers: [Uint8Array, (b: Uint8Array) => unknown][] = [
    [enc(APP), parseAppManifest],
    [enc(KEYS), parseKeyInventory],
    [enc(DUMP), (b) => parseDumpManifest(b, 'd.json')],
  ];
  for (const [good, parse] of parsers) {
    fc.assert(fc.property(arbDamage, (edits) => void onlyThrowsCodes(() => parse(damage(good, edits)), ['INVALID_DATA'])));
    for (let n = 0; n < good.length; n++) onlyThrowsCodes(() => parse(good.subarray(0, n)), ['INVALID_DATA']);
  }
});
