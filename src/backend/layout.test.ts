import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { FILE_TYPES, type FileType, type Handle } from '../model/index.js';
import { dirOf, displayPath, filePath, parseFilePath } from './layout.js';

const ID = '0123456789abcdef'.repeat(4);
const hexId = fc.stringMatching(/^[0-9a-f]{64}$/);
const handle: fc.Arbitrary<Handle> = fc.oneof(
  fc.constant<Handle>({ type: 'config', name: '' }),
  fc.tuple(fc.constantFrom<FileType>('key', 'snapshot', 'index', 'lock', 'data'), hexId).map(([type, name]) => ({ type, name })),
);

describe('layout', () => {
  it('puts every type where restic does', () => {
    assert.equal(filePath({ type: 'config', name: '' }), 'config');
    assert.equal(filePath({ type: 'key', name: ID }), `keys/${ID}`);
    assert.equal(filePath({ type: 'snapshot', name: ID }), `snapshots/${ID}`);
    assert.equal(filePath({ type: 'index', name: ID }), `index/${ID}`);
    assert.equal(filePath({ type: 'lock', name: ID }), `locks/${ID}`);
    assert.equal(filePath({ type: 'data', name: ID }), `data/01/${ID}`);
    assert.deepEqual(FILE_TYPES.map(dirOf), ['', 'keys', 'snapshots', 'index', 'data', 'locks']);
  });

  it('parseFilePath inverts filePath (property)', () => {
    fc.assert(fc.property(handle, (h) => assert.deepEqual(parseFilePath(filePath(h)), h)));
  });

  it('parseFilePath rejects temp files, misplaced packs and foreign names', () => {
    for (const p of [`index/${ID}-tmp-1234`, `data/${ID}`, `data/ff/${ID}`, `data/01/${ID}/x`, `key/${ID}`, `keys/${ID.toUpperCase()}`, 'README', 'config-tmp-ab', '', `keys/`]) {
      assert.equal(parseFilePath(p), undefined, p);
    }
  });

  it('rejects names that are not IDs, and unknown types, with INVALID_ARGUMENT', () => {
    const bad: Handle[] = [
      { type: 'data', name: '../../etc' },
      { type: 'key', name: ID.slice(1) },
      { type: 'config', name: 'x' },
      { type: 'nope' as FileType, name: ID },
    ];
    for (const h of bad) assert.throws(() => filePath(h), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'), JSON.stringify(h));
  });

  it('displayPath shortens IDs and never throws', () => {
    assert.equal(displayPath({ type: 'data', name: ID }), 'data/01/01234567…');
    assert.equal(displayPath({ type: 'config', name: '' }), 'config');
    assert.equal(displayPath({ type: 'lock', name: '../x' }), 'locks/"../x"');
    fc.assert(fc.property(fc.string(), (name) => void displayPath({ type: 'index', name })));
  });
});
