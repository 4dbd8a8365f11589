import { generateKey, type KeyDigest } from './key-generator.js';
import { signMessage, verifyMessage, type VerifierDigest } from './message-verifier.js';

/** Active Storage's verifier key: Rails' key generator (1000 iterations, 64 bytes) for the purpose "ActiveStorage". */
export function activeStorageKey(secretKeyBase: string | Uint8Array, digest: KeyDigest): Uint8Array {
  return generateKey(secretKeyBase, 'ActiveStorage', 1000, 64, digest);
}

/** Rails' envelope for a signed blob id: `{"_rails":{"data":<id>,"pur":"blob_id"}}` (Rails 7.1+). */
export function signBlobId(key: Uint8Array, id: number, digest: VerifierDigest = 'sha1'): string {
  return signMessage(key, JSON.stringify({ _rails: { data: id, pur: 'blob_id' } }), digest);
}

/** The signed part of `/rails/active_storage/blobs/redirect/<signed_id>/<name>` or the id alone. */
export function signedIdOf(urlOrId: string): string {
  const m = /\/blobs\/(?:redirect\/|proxy\/)?([^/]+--[0-9a-f]{40,64})(?:\/|$)/.exec(urlOrId);
  return decodeURIComponent(m ? m[1]! : urlOrId.trim());
}

/** Verifies a signed blob id; the verifier digest is told by the digest's length (40 hex: SHA-1). */
export function verifyBlobId(key: Uint8Array, urlOrId: string): Uint8Array {
  const id = signedIdOf(urlOrId);
  const digestHex = id.slice(id.lastIndexOf('--') + 2);
  return verifyMessage(key, id, digestHex.length === 64 ? 'sha256' : 'sha1');
}
