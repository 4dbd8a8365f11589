import { JsonNumber, decodeTree, parseJson, type JsonValue, type Node } from '../model/index.js';
import { messageOf } from './checked-load.js';

const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const textEncoder = new TextEncoder();

/** The nodes of a tree blob that decode, and one message per node that does not. */
export interface LenientTree {
  readonly nodes: Node[];
  readonly problems: string[];
}

/**
 * Decodes a tree blob node by node, so that one bad node (a file without content, a dir
 * without subtree, an unknown type, a bad name) is reported while the check goes on into
 * its good siblings, as restic's check does. Throws only when the blob is no tree at all.
 */
export function decodeTreeLeniently(bytes: Uint8Array): LenientTree {
  try {
    return { nodes: decodeTree(bytes), problems: [] };
  } catch {
    // Fall through to find every bad node, not only the first.
  }
  const root = parseJson(textDecoder.decode(bytes), 'tree blob');
  if (root === null || typeof root !== 'object' || Array.isArray(root) || root instanceof JsonNumber) {
    throw new Error('tree blob: expected a JSON object');
  }
  const raw = root['nodes'];
  if (raw === undefined || raw === null) return { nodes: [], problems: [] };
  if (!Array.isArray(raw)) throw new Error('tree blob: field "nodes" must be a list');
  const nodes: Node[] = [];
  const problems: string[] = [];
  raw.forEach((v, i) => {
    try {
      // decodeTree is the one place that knows every rule for a node; feed it one at a time.
      nodes.push(...decodeTree(textEncoder.encode(`{"nodes":[${toJson(v)}]}`)));
    } catch (e) {
      problems.push(`node ${i}${nameOf(v)}: ${messageOf(e).replace(/^tree blob node 0: /, '')}`);
    }
  });
  return { nodes, problems };
}

function nameOf(v: JsonValue): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) return '';
  const name = v['name'];
  return typeof name === 'string' ? ` (${JSON.stringify(name)})` : '';
}

function toJson(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return '[' + v.map(toJson).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ':' + toJson(x)).join(',') + '}';
  }
  return JSON.stringify(v);
}
