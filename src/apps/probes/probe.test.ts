import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { activeStorageKey, signBlobId } from './active-storage.js';
import { decidimEncrypt, decidimKey } from './decidim-attribute.js';
import { laravelEncrypt, laravelKey } from './laravel-cipher.js';
import { mauticEncrypt, mauticKey } from './mautic-cipher.js';
import { runProbe } from './probe.js';
import { sealCredentials } from './rails-credentials.js';
import { marshalString } from './ruby-marshal.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const PLAIN = 'plaintext-that-must-never-leak';

test('Decidim probe: counts values that open with SHA-256 or SHA-1 keys, and the ones that do not', () => {
  const skb = randomBytes(64).toString('hex');
  const other = randomBytes(64).toString('hex');
  const samples = [
    decidimEncrypt(decidimKey(skb, 'sha256'), marshalString(PLAIN)),
    decidimEncrypt(decidimKey(skb, 'sha1'), enc(JSON.stringify(PLAIN))),
    decidimEncrypt(decidimKey(skb, 'sha256'), PLAIN, true),
    decidimEncrypt(decidimKey(other, 'sha256'), PLAIN),
    'not-encrypted-at-all',
  ];
  const r = runProbe('decidim-attribute', enc(skb), samples);
  assert.deepEqual(r, { tried: 5, opened: 3, failed: 2 });
  assert.ok(!JSON.stringify(r).includes(PLAIN));
  assert.deepEqual(runProbe('decidim-attribute', enc(other), samples), { tried: 5, opened: 1, failed: 4 });
});

test('personal metadata (SHA-1, its own purpose) and Active Storage probes', () => {
  const skb = randomBytes(64).toString('hex');
  const v = decidimEncrypt(decidimKey(skb, 'sha1', 'personal user metadata'), PLAIN);
  assert.deepEqual(runProbe('decidim-personal-metadata', enc(skb), [v]), { tried: 1, opened: 1, failed: 0 });
  assert.deepEqual(runProbe('decidim-attribute', enc(skb), [v]), { tried: 1, opened: 0, failed: 1 });
  const id = signBlobId(activeStorageKey(skb, 'sha256'), 7);
  assert.deepEqual(runProbe('active-storage-signed-id', enc(skb), [`/rails/active_storage/blobs/redirect/${id}/a.png`]), { tried: 1, opened: 1, failed: 0 });
  assert.deepEqual(runProbe('active-storage-signed-id', enc(`${skb}x`), [id]), { tried: 1, opened: 0, failed: 1 });
});

test('credentials, Mautic and Laravel probes; an unusable key fails every sample with a reason that does not quote it', () => {
  const master = randomBytes(16).toString('hex');
  assert.deepEqual(runProbe('rails-credentials', enc(master), [sealCredentials(master, enc(PLAIN))]), { tried: 1, opened: 1, failed: 0 });
  const secret = randomBytes(32).toString('hex');
  const m = [mauticEncrypt(mauticKey(secret), 's:3:"abc";'), mauticEncrypt(mauticKey(randomBytes(32).toString('hex')), 's:3:"abc";')];
  assert.deepEqual(runProbe('mautic', enc(secret), m), { tried: 2, opened: 1, failed: 1 });
  const appKey = `base64:${randomBytes(32).toString('base64')}`;
  assert.deepEqual(runProbe('laravel', enc(appKey), [laravelEncrypt(laravelKey(appKey), PLAIN)]), { tried: 1, opened: 1, failed: 0 });
  const r = runProbe('mautic', enc('short-secret-value'), m);
  assert.equal(r.opened, 0);
  assert.equal(r.failed, 2);
  assert.ok(r.reason && !r.reason.includes('short-secret-value'));
  assert.deepEqual(runProbe('laravel', enc(appKey), []), { tried: 0, opened: 0, failed: 0 });
});
