import { createHash } from 'node:crypto';
import type { MasterKey } from '../crypto/index.js';
// Named modules, not barrels: this runs on the check workers (see pack-verify-worker.ts).
import { open } from '../crypto/authenticated-cipher.js';
import type { Id } from '../model/index.js';
import { shortId } from '../model/id.js';
import { openBlob } from '../repo/blob-codec.js';
import { decodePackHeader, parseHeaderLength, type PackedBlob } from '../repo/pack.js';
import { messageOf } from './checked-load.js';

export interface CorruptBlob {
  readonly blob: PackedBlob;
  readonly reason: string;
}

/** What reading one whole pack showed. Pure data; `verifyPack` never throws. */
export interface PackVerdict {
  /** SHA-256 of the bytes read; a pack's name must be this. */
  readonly actualId: Id;
  /** Why the header could not be read at all. */
  readonly headerError?: string;
  /** Where header and index disagree (or the index contradicts itself). */
  readonly headerMismatches: readonly string[];
  /** Blobs named in those disagreements. */
  readonly mismatchedBlobs: readonly Id[];
  /** Indexed blobs that decrypt, decompress and hash to their ID at their indexed place. */
  readonly good: readonly PackedBlob[];
  readonly corrupt: readonly CorruptBlob[];
}

const key = (b: PackedBlob) => `${b.id}@${b.offset}`;

/**
 * Verifies a whole pack against what the index says it holds: the file's hash, its header
 * (which must match the index exactly: type, offset, length, uncompressed length), and every
 * indexed blob at its indexed place. Blobs are checked even when the header is unreadable,
 * so the report says which data survived.
 */
export function verifyPack(
  masterKey: MasterKey,
  bytes: Uint8Array,
  indexed: readonly PackedBlob[],
  /** Opens and verifies one blob (throwing when it is bad); a worker passes a scratch-buffer codec. */
  openOne: (id: Id, sealed: Uint8Array, uncompressedLength: number) => unknown = (id, sealed, ulen) => openBlob(masterKey, id, sealed, ulen),
): PackVerdict {
  const actualId = createHash('sha256').update(bytes).digest('hex');
  const mismatches: string[] = [];
  const mismatched = new Set<Id>();
  const note = (msg: string, ...ids: Id[]) => {
    mismatches.push(msg);
    for (const id of ids) mismatched.add(id);
  };
  checkIndexLayout(indexed, note);

  let headerError: string | undefined;
  try {
    const { entries, dataEnd } = readHeader(masterKey, bytes);
    compareHeader(indexed, entries, dataEnd, note);
  } catch (e) {
    headerError = messageOf(e);
  }

  const good: PackedBlob[] = [];
  const corrupt: CorruptBlob[] = [];
  for (const b of indexed) {
    if (b.offset + b.length > bytes.length) {
      corrupt.push({ blob: b, reason: `the index places it at bytes ${b.offset}..${b.offset + b.length}, past the end of the pack (${bytes.length} bytes)` });
      continue;
    }
    try {
      openOne(b.id, bytes.subarray(b.offset, b.offset + b.length), b.uncompressedLength);
      good.push(b);
    } catch (e) {
      corrupt.push({ blob: b, reason: messageOf(e) });
    }
  }
  return { actualId, ...(headerError === undefined ? {} : { headerError }), headerMismatches: mismatches, mismatchedBlobs: [...mismatched], good, corrupt };
}

export function readHeader(masterKey: MasterKey, bytes: Uint8Array): { entries: PackedBlob[]; dataEnd: number } {
  const size = bytes.length;
  const headerLength = parseHeaderLength(bytes.subarray(Math.max(0, size - 4)), size);
  const dataEnd = size - 4 - headerLength;
  const entries = decodePackHeader(open(masterKey, bytes.subarray(dataEnd, size - 4)));
  return { entries, dataEnd };
}

/** Overlapping entries mean at least one blob cannot be where the index says. */
export function checkIndexLayout(indexed: readonly PackedBlob[], note: (msg: string, ...ids: Id[]) => void): void {
  const sorted = [...indexed].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.offset < prev.offset + prev.length) {
      note(`index entries overlap: blob ${shortId(prev.id)} (bytes ${prev.offset}..${prev.offset + prev.length}) and blob ${shortId(cur.id)} (from ${cur.offset})`, prev.id, cur.id);
    }
  }
}

export function compareHeader(indexed: readonly PackedBlob[], header: readonly PackedBlob[], dataEnd: number, note: (msg: string, ...ids: Id[]) => void): void {
  if (header.length === 0) note('the pack header lists no blobs');
  const stored = header.reduce((sum, b) => sum + b.length, 0);
  if (stored !== dataEnd) note(`the pack header describes ${stored} bytes of blobs, but ${dataEnd} bytes precede the header`);
  const inHeader = new Map(header.map((b) => [key(b), b]));
  const inIndex = new Set<string>();
  for (const b of indexed) {
    inIndex.add(key(b));
    const h = inHeader.get(key(b));
    if (!h) {
      note(`blob ${shortId(b.id)} is in the index at offset ${b.offset}, but the pack header has no such blob there`, b.id);
      continue;
    }
    const diffs: string[] = [];
    if (h.type !== b.type) diffs.push(`type ${b.type} in the index, ${h.type} in the header`);
    if (h.length !== b.length) diffs.push(`length ${b.length} in the index, ${h.length} in the header`);
    if (h.uncompressedLength !== b.uncompressedLength) diffs.push(`uncompressed length ${b.uncompressedLength} in the index, ${h.uncompressedLength} in the header`);
    if (diffs.length > 0) note(`blob ${shortId(b.id)} at offset ${b.offset}: ${diffs.join(', ')}`, b.id);
  }
  for (const h of header) {
    if (!inIndex.has(key(h))) note(`the pack header lists blob ${shortId(h.id)} at offset ${h.offset}, which the index does not`, h.id);
  }
}
