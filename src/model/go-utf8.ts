/**
 * Decodes one UTF-8 sequence at `i` exactly as Go's utf8.DecodeRune does, because Go's
 * quoting and JSON encoding treat every byte of an invalid sequence separately.
 * Returns the code point, or -1 when the byte at `i` does not start a valid sequence
 * (Go then consumes that single byte). A valid rune's length follows from its value,
 * see {@link goRuneLength}.
 */
export function goDecodeRune(b: Uint8Array, i: number): number {
  const b0 = b[i]!;
  if (b0 < 0x80) return b0;
  const n = b.length;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const b1 = i + 1 < n ? b[i + 1]! : 0;
    return isCont(b1) ? ((b0 & 0x1f) << 6) | (b1 & 0x3f) : -1;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (i + 2 >= n) return -1;
    const b1 = b[i + 1]!;
    const b2 = b[i + 2]!;
    // E0 would allow overlong forms and ED would allow surrogates: Go rejects both.
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    if (b1 < lo || b1 > hi || !isCont(b2)) return -1;
    return ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (i + 3 >= n) return -1;
    const b1 = b[i + 1]!;
    const b2 = b[i + 2]!;
    const b3 = b[i + 3]!;
    // F0 would allow overlong forms and F4 code points above U+10FFFF.
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi || !isCont(b2) || !isCont(b3)) return -1;
    return ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
  }
  return -1;
}

/** Bytes a valid rune takes in UTF-8 (1 for the -1 "invalid byte" marker). */
export function goRuneLength(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function isCont(b: number): boolean {
  return (b & 0xc0) === 0x80;
}
