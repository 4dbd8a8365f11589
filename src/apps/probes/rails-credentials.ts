import { LifeboatError } from '../../errors/index.js';
import { decryptGcm, encryptGcm } from './message-encryptor.js';
import { fromHex } from './strict-encoding.js';

/** `config/master.key` (or RAILS_MASTER_KEY): 32 hex characters, the AES-128-GCM key of credentials.yml.enc. */
export function masterKeyBytes(masterKey: string | Uint8Array): Uint8Array {
  const text = (typeof masterKey === 'string' ? masterKey : new TextDecoder().decode(masterKey)).trim();
  if (!/^[0-9a-fA-F]{32}$/.test(text)) throw new LifeboatError('INVALID_ARGUMENT', 'a Rails master key is 32 hexadecimal characters (config/master.key); this one is not');
  return fromHex(text, 'master key');
}

export function sealCredentials(masterKey: string | Uint8Array, content: Uint8Array): string {
  return encryptGcm(masterKeyBytes(masterKey), content);
}

/** Opens `credentials.yml.enc`; throws CIPHERTEXT_VERIFICATION_FAILED when the master key is not the one. */
export function openCredentials(masterKey: string | Uint8Array, encrypted: string | Uint8Array): Uint8Array {
  const text = typeof encrypted === 'string' ? encrypted : new TextDecoder().decode(encrypted);
  return decryptGcm(masterKeyBytes(masterKey), text);
}
