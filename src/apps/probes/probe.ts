import { isLifeboatError } from '../../errors/index.js';
import { activeStorageKey, verifyBlobId } from './active-storage.js';
import { decidimDecrypt, decidimKey, type DecidimPurpose } from './decidim-attribute.js';
import { laravelDecrypt, laravelKey } from './laravel-cipher.js';
import { mauticDecrypt, mauticKey } from './mautic-cipher.js';
import { openCredentials } from './rails-credentials.js';

/** The formats a probe can test a key against (also what a generic probe in the config names). */
export const PROBE_FORMATS = ['decidim-attribute', 'decidim-personal-metadata', 'active-storage-signed-id', 'rails-credentials', 'mautic', 'laravel'] as const;
export type ProbeFormat = (typeof PROBE_FORMATS)[number];

/**
 * What a probe answers: how many sampled values it tried, how many opened with the key, how
 * many did not. Never any plaintext. `reason` is set only when the key itself is unusable for
 * the format (wrong length...), and is a fixed sentence that never quotes the key.
 */
export interface ProbeCounts {
  readonly tried: number;
  readonly opened: number;
  readonly failed: number;
  readonly reason?: string;
}

type Opener = (sample: string) => Uint8Array;

function decidimOpener(secretKeyBase: Uint8Array, purpose: DecidimPurpose): Opener {
  // Current Decidim derives with SHA-256, older with SHA-1; votes' personal metadata is always SHA-1.
  const digests = purpose === 'attribute' ? (['sha256', 'sha1'] as const) : (['sha1'] as const);
  const keys = digests.map((d) => decidimKey(secretKeyBase, d, purpose));
  return (sample) => firstThatOpens(keys.map((k) => () => decidimDecrypt(k, sample)));
}

function activeStorageOpener(secretKeyBase: Uint8Array): Opener {
  const keys = (['sha256', 'sha1'] as const).map((d) => activeStorageKey(secretKeyBase, d));
  return (sample) => firstThatOpens(keys.map((k) => () => verifyBlobId(k, sample)));
}

/** Tries each way in turn; a format error is final (the value is what it is), a wrong key moves on. */
function firstThatOpens(attempts: readonly (() => Uint8Array)[]): Uint8Array {
  let last: unknown;
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (e) {
      last = e;
      if (!isLifeboatError(e, 'CIPHERTEXT_VERIFICATION_FAILED')) throw e;
    }
  }
  throw last;
}

function openerFor(format: ProbeFormat, key: Uint8Array): Opener {
  switch (format) {
    case 'decidim-attribute':
      return decidimOpener(key, 'attribute');
    case 'decidim-personal-metadata':
      return decidimOpener(key, 'personal user metadata');
    case 'active-storage-signed-id':
      return activeStorageOpener(key);
    case 'rails-credentials':
      return (sample) => openCredentials(key, sample);
    case 'mautic': {
      const k = mauticKey(key);
      return (sample) => mauticDecrypt(k, sample);
    }
    case 'laravel': {
      const k = laravelKey(key);
      return (sample) => laravelDecrypt(k, sample);
    }
  }
}

/**
 * Tests `key` (the raw bytes of the secret as the app stores it: SECRET_KEY_BASE, master.key,
 * secret_key, APP_KEY) against sampled stored values. Each opened plaintext is wiped at once.
 */
export function runProbe(format: ProbeFormat, key: Uint8Array, samples: Iterable<string>): ProbeCounts {
  const list = [...samples];
  let open: Opener;
  try {
    open = openerFor(format, key);
  } catch (e) {
    if (!isLifeboatError(e)) throw e;
    return { tried: list.length, opened: 0, failed: list.length, reason: e.message };
  }
  let opened = 0;
  for (const sample of list) {
    try {
      open(sample).fill(0);
      opened++;
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
    }
  }
  return { tried: list.length, opened, failed: list.length - opened };
}
