import { LifeboatError } from '../../errors/index.js';

/** Ruby Marshal's integer encoding (used for lengths): small values in one byte, others little-endian with a byte count. */
function marshalInt(n: number): number[] {
  if (n === 0) return [0];
  if (n > 0 && n < 123) return [n + 5];
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  if (out.length > 4) throw new LifeboatError('INVALID_ARGUMENT', 'string too long for Ruby Marshal');
  return [out.length, ...out];
}

/**
 * `Marshal.dump("...")` of a UTF-8 string: what Rails' MessageEncryptor encrypts by default
 * (`04 08 49 22 <len> <bytes> 06 3a 06 45 54`: an instance variable `E` = true marks UTF-8).
 * Only the writer exists: probes never look inside what they open.
 */
export function marshalString(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  return Uint8Array.from([0x04, 0x08, 0x49, 0x22, ...marshalInt(bytes.length), ...bytes, 0x06, 0x3a, 0x06, 0x45, 0x54]);
}
