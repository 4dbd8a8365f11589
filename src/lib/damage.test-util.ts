import fc from 'fast-check';

/** Random damage to a valid encoding: truncation, byte flips, insertions, deletions. */
export const arbDamage = fc.array(
  fc.record({ kind: fc.constantFrom('truncate', 'flip', 'set', 'insert', 'delete'), pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  { minLength: 1, maxLength: 4 },
);

export function damage(bytes: Uint8Array, edits: ReadonlyArray<{ kind: string; pos: number; byte: number }>): Uint8Array {
  let b = Array.from(bytes);
  for (const e of edits) {
    const p = b.length === 0 ? 0 : e.pos % (b.length + 1);
    if (e.kind === 'truncate') b = b.slice(0, p);
    else if (e.kind === 'flip' && p < b.length) b[p] = b[p]! ^ (1 << e.byte % 8);
    else if (e.kind === 'set' && p < b.length) b[p] = e.byte;
    else if (e.kind === 'insert') b.splice(p, 0, e.byte);
    else if (e.kind === 'delete') b.splice(p, 1);
  }
  return Uint8Array.from(b);
}
