import { LifeboatError } from '../errors/index.js';
import { isId, parseId, type BlobType, type Id } from '../model/index.js';
import { expectRecord, expectString, expectUint, isRecord, parseJsonBytes } from './json-parse.js';
import type { PackedBlob } from './pack.js';
import { fastDecodeIndex, type DecodedIndex } from './index-fast-decode.js';

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

/**
 * Where {@link decodeIndexInto} puts what it reads: each pack once, then its blobs. Lets the
 * master index take blobs straight from the parsed JSON, without a PackedBlob object each.
 */
export interface IndexSink {
  /** Returns the pack's number, passed back with each of its blobs. */
  pack(id: Id): number;
  blob(pack: number, type: BlobType, id: Id, offset: number, length: number, uncompressedLength: number): void;
  /** Optional: all blobs of a decoded file at once, its packs numbered by `pack` (in `packNumbers`). */
  addDecoded?(d: DecodedIndex, packNumbers: readonly number[]): void;
}

export function decodeIndexFile(bytes: Uint8Array): IndexFile {
  const packs: { id: Id; blobs: PackedBlob[] }[] = [];
  const supersedes = decodeIndexInto(bytes, {
    pack: (id) => packs.push({ id, blobs: [] }) - 1,
    blob: (pn, type, id, offset, length, uncompressedLength) => packs[pn]!.blobs.push({ type, id, offset, length, uncompressedLength }),
  });
  return supersedes ? { supersedes, packs } : { packs };
}

/**
 * Reads an index file into `sink` and returns its `supersedes` list. Every problem is
 * INVALID_DATA; the sink may then have had part of the file, so the caller must drop it.
 */
export function decodeIndexInto(bytes: Uint8Array, sink: IndexSink): Id[] | undefined {
  const fast = fastDecodeIndex(bytes);
  return fast ? feed(fast, sink) : decodeIndexJson(bytes, sink);
}

/** {@link decodeIndexInto} through JSON.parse: every shape restic accepts, and the errors. */
export function decodeIndexJson(bytes: Uint8Array, sink: IndexSink): Id[] | undefined {
  const root = parseJsonBytes(bytes, 'index');
  // The very old format is a bare array of packs.
  const o = Array.isArray(root) ? { packs: root } : expectRecord(root, 'index');
  const packsRaw = o['packs'];
  if (!Array.isArray(packsRaw)) throw new LifeboatError('INVALID_DATA', 'index: "packs" must be an array');
  for (let i = 0; i < packsRaw.length; i++) {
    const p = expectRecord(packsRaw[i], `index.packs[${i}]`);
    const pn = sink.pack(parseId(expectString(p['id'], `index.packs[${i}].id`), 'pack ID'));
    const blobsRaw = p['blobs'];
    if (!Array.isArray(blobsRaw)) throw new LifeboatError('INVALID_DATA', `index.packs[${i}].blobs must be an array`);
    for (let j = 0; j < blobsRaw.length; j++) {
      const b = blobsRaw[j] as Record<string, unknown>;
      // Messages are built only on failure: this loop runs once per blob of the repository.
      const what = () => `index.packs[${i}].blobs[${j}]`;
      if (!isRecord(b)) expectRecord(b, what());
      const type = b['type'];
      if (type !== 'data' && type !== 'tree') throw new LifeboatError('INVALID_DATA', `${what()}.type must be "data" or "tree"`);
      const id = b['id'];
      if (typeof id !== 'string' || !isId(id)) parseId(expectString(id, `${what()}.id`), 'blob ID');
      const ulen = b['uncompressed_length'];
      sink.blob(pn, type, id as Id, u32(b['offset'], what, 'offset'), u32(b['length'], what, 'length'), ulen === undefined ? 0 : u32(ulen, what, 'uncompressed_length'));
    }
  }
  const supRaw = o['supersedes'];
  if (supRaw === undefined || supRaw === null) return undefined;
  if (!Array.isArray(supRaw)) throw new LifeboatError('INVALID_DATA', 'index: "supersedes" must be an array');
  return supRaw.map((s, i) => parseId(expectString(s, `index.supersedes[${i}]`), 'index ID'));
}

/** A decoded index into the sink, in the order the general decoder would give it. */
function feed(d: DecodedIndex, sink: IndexSink): Id[] | undefined {
  const pns = d.packIds.map((id) => sink.pack(id));
  if (sink.addDecoded) sink.addDecoded(d, pns);
  else {
    for (let e = 0; e < d.count; e++) {
      const at = e * 32;
      sink.blob(pns[d.packOf[e]!]!, d.types[e] === 1 ? 'tree' : 'data', d.keys.toString('hex', at, at + 32), d.offsets[e]!, d.lengths[e]!, d.ulens[e]!);
    }
  }
  return d.supersedes;
}

function u32(v: unknown, what: () => string, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  return expectUint(v, `${what()}.${field}`, 0xffffffff);
}
