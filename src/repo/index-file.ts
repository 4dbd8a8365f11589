import { LifeboatError } from '../errors/index.js';
import { parseId, type Id } from '../model/index.js';
import { expectRecord, expectString, expectUint, parseJsonBytes } from './json-parse.js';
import type { PackedBlob } from './pack.js';

/** One pack as an index file lists it. */
export interface IndexedPack {
  readonly id: Id;
  readonly blobs: readonly PackedBlob[];
}

export interface IndexFile {
  readonly supersedes?: readonly Id[];
  readonly packs: readonly IndexedPack[];
}

export function encodeIndexFile(f: IndexFile): Uint8Array {
  const parts: string[] = [];
  for (const p of f.packs) {
    const blobs = p.blobs.map((b) =>
      `{"id":"${b.id}","type":"${b.type}","offset":${b.offset},"length":${b.length}` +
      (b.uncompressedLength > 0 ? `,"uncompressed_length":${b.uncompressedLength}}` : '}'),
    );
    parts.push(`{"id":"${p.id}","blobs":[${blobs.join(',')}]}`);
  }
  const sup = f.supersedes && f.supersedes.length > 0 ? `"supersedes":${JSON.stringify(f.supersedes)},` : '';
  return new TextEncoder().encode(`{${sup}"packs":[${parts.join(',')}]}\n`);
}

export function decodeIndexFile(bytes: Uint8Array): IndexFile {
  const root = parseJsonBytes(bytes, 'index');
  // The very old format is a bare array of packs.
  const o = Array.isArray(root) ? { packs: root } : expectRecord(root, 'index');
  const packsRaw = o['packs'];
  if (!Array.isArray(packsRaw)) throw new LifeboatError('INVALID_DATA', 'index: "packs" must be an array');
  const packs = packsRaw.map((pr, i) => {
    const p = expectRecord(pr, `index.packs[${i}]`);
    const packId = parseId(expectString(p['id'], `index.packs[${i}].id`), 'pack ID');
    const blobsRaw = p['blobs'];
    if (!Array.isArray(blobsRaw)) throw new LifeboatError('INVALID_DATA', `index.packs[${i}].blobs must be an array`);
    const blobs = blobsRaw.map((br, j): PackedBlob => {
      const what = `index.packs[${i}].blobs[${j}]`;
      const b = expectRecord(br, what);
      const type = b['type'];
      if (type !== 'data' && type !== 'tree') throw new LifeboatError('INVALID_DATA', `${what}.type must be "data" or "tree"`);
      return {
        type,
        id: parseId(expectString(b['id'], `${what}.id`), 'blob ID'),
        offset: expectUint(b['offset'], `${what}.offset`, 0xffffffff),
        length: expectUint(b['length'], `${what}.length`, 0xffffffff),
        uncompressedLength: b['uncompressed_length'] === undefined ? 0 : expectUint(b['uncompressed_length'], `${what}.uncompressed_length`, 0xffffffff),
      };
    });
    return { id: packId, blobs };
  });
  const supRaw = o['supersedes'];
  const supersedes = supRaw === undefined || supRaw === null ? undefined
    : Array.isArray(supRaw) ? supRaw.map((s, i) => parseId(expectString(s, `index.supersedes[${i}]`), 'index ID'))
    : (() => { throw new LifeboatError('INVALID_DATA', 'index: "supersedes" must be an array'); })();
  return supersedes ? { supersedes, packs } : { packs };
}
