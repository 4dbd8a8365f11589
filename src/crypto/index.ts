export { type MasterKey, newMasterKey, encodeMasterKeyJson, decodeMasterKeyJson } from './master-key.js';
export {
  CIPHER_OVERHEAD,
  IV_BYTES,
  MAC_BYTES,
  seal,
  sealInto,
  sealInPlace,
  open,
  openInto,
  openInPlace,
  sealedLength,
  plaintextLength,
} from './authenticated-cipher.js';
export { macPoly1305Aes, clampPoly1305R, POLY1305_TAG_BYTES } from './poly1305-aes.js';
export {
  type ScryptParams,
  SCRYPT_SALT_BYTES,
  SCRYPT_MAX_MEMORY,
  deriveUserKey,
  validateScryptParams,
  calibrateScrypt,
} from './kdf.js';
export {
  type KeyFileInfo,
  type CreateKeyFileOptions,
  createKeyFile,
  parseKeyFile,
  openKeyFile,
  encodeKeyFile,
} from './key-file.js';
