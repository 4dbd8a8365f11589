import { LifeboatError } from '../errors/index.js';
import { goQuote } from './go-quote.js';
import { JsonFields } from './json-fields.js';
import type { Node } from './node.js';
import { nodeFromJson, nodeToJson } from './node-json.js';
import { parseJson } from './parse-json.js';
import { fastDecodeTree } from './tree-fast-decode.js';

/** The entries of one directory, as a tree blob holds them. */
export type Tree = readonly Node[];

const textEncoder = new TextEncoder();
// Not fatal: Go's JSON decoder also turns invalid UTF-8 into U+FFFD instead of failing.
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Go's string order: raw bytes, unsigned, shorter prefix first. */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * A tree blob byte-identical to restic 0.14's for the same nodes: `{"nodes":[...]}` plus
 * "\n", nodes sorted by raw name. Sorting matters beyond looks: restic finds parent nodes
 * by binary search, so an unsorted tree makes every later backup re-read every file.
 * Throws INVALID_ARGUMENT for duplicate names or a node restic could not use.
 */
export function encodeTree(nodes: Tree): Uint8Array {
  const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    if (compareNames(sorted[i - 1]!.name, sorted[i]!.name) === 0) {
      throw new LifeboatError('INVALID_ARGUMENT', `tree has two nodes named "${goQuote(sorted[i]!.name)}"`);
    }
  }
  return textEncoder.encode('{"nodes":[' + sorted.map(nodeToJson).join(',') + ']}\n');
}

/**
 * The nodes of a tree blob, in stored order. Accepts what restic's decoder accepts
 * (unknown fields, any key order, unsorted nodes, no trailing newline) and rejects what
 * would break a restore; every problem is LifeboatError 'INVALID_DATA'.
 */
export function decodeTree(bytes: Uint8Array): Node[] {
  const text = textDecoder.decode(bytes);
  return fastDecodeTree(text) ?? decodeTreeText(text);
}

/** The general decoder: any JSON restic could have written, with precise errors. */
export function decodeTreeText(text: string): Node[] {
  const f = new JsonFields(parseJson(text, 'tree blob'), 'tree blob');
  return f.list('nodes').map((v, i) => nodeFromJson(v, `tree blob node ${i}`));
}

/** Binary search in a sorted tree (as {@link encodeTree} writes and restic requires). */
export function findNode(sorted: Tree, name: Uint8Array): Node | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareNames(sorted[mid]!.name, name);
    if (c === 0) return sorted[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
