/**
 * A JSON string literal escaped the way Go 1.19's encoding/json writes it (restic 0.14 is built with
 * it): `"` and `\` backslashed; \n, \r, \t short; other controls as \u00XX (Go 1.19 has no \b or \f);
 * <, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029 escaped. Matching Go byte for byte keeps
 * files we write identical to restic's, which makes comparing them in tests trivial.
 * Lone surrogates (which Go could never see, its strings being UTF-8) become U+FFFD when encoded.
 */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else out += ch;
  }
  return out + '"';
}
