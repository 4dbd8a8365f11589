import { createDecipheriv } from 'node:crypto';
import { parseYaml } from '../lib/lazy-yaml.js';

/**
 * Reads `secret_key_base` out of Rails encrypted credentials (`config/credentials.yml.enc`,
 * or `config/credentials/production.yml.enc`) with the master key, so that an app that keeps
 * its key there (not in the environment) has it in its key inventory. Format: Rails'
 * MessageEncryptor in GCM mode, `base64(ciphertext)--base64(iv)--base64(tag)`, AES-128-GCM
 * keyed by the hex of master.key; the plaintext is the YAML as a Marshal-dumped Ruby string.
 * Undefined whenever anything does not fit: discovery must never fail an app over this.
 */
export function credentialsSecretKeyBase(encrypted: string, masterKeyHex: string): string | undefined {
  const yaml = decryptRailsMessage(encrypted.trim(), masterKeyHex.trim());
  if (yaml === undefined) return undefined;
  try {
    const doc = parseYaml(yaml) as Record<string, unknown> | null;
    const v = doc?.['secret_key_base'];
    return typeof v === 'string' && v !== '' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The plaintext string of a GCM MessageEncryptor message, or undefined (wrong key, damaged, other format). */
export function decryptRailsMessage(message: string, keyHex: string): string | undefined {
  if (!/^([0-9a-f]{32}|[0-9a-f]{64})$/i.test(keyHex)) return undefined;
  const parts = message.split('--');
  if (parts.length !== 3) return undefined;
  const [ct, iv, tag] = parts.map((p) => Buffer.from(p, 'base64'));
  if (!ct || iv?.length !== 12 || tag?.length !== 16) return undefined;
  const key = Buffer.from(keyHex, 'hex');
  try {
    const d = createDecipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    d.setAAD(Buffer.alloc(0));
    return unmarshalString(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    return undefined;
  }
}

/** A Ruby Marshal string (`04 08 I " len bytes ...` or without the encoding ivar), or a JSON string. */
export function unmarshalString(b: Buffer): string | undefined {
  if (b[0] === 0x22) {
    try {
      const v: unknown = JSON.parse(b.toString('utf8'));
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
  if (b[0] !== 4 || b[1] !== 8) return undefined;
  let i = 2;
  if (b[i] === 0x49) i++; // 'I': an object with instance variables (the string's encoding)
  if (b[i++] !== 0x22) return undefined;
  const n = b[i++];
  if (n === undefined) return undefined;
  let len: number;
  if (n === 0) len = 0;
  else if (n >= 5 && n < 128) len = n - 5;
  else if (n >= 1 && n <= 4) {
    len = 0;
    for (let k = 0; k < n; k++) len += (b[i + k] ?? 0) * 256 ** k;
    i += n;
  } else return undefined;
  if (i + len > b.length) return undefined;
  return b.subarray(i, i + len).toString('utf8');
}
