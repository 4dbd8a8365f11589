import { compareNames, type Node } from '../model/index.js';

/**
 * The node of `nodes` (a parent snapshot's tree) named like each of `names`, or undefined.
 * `names` come in byte order (a directory scan); restic stores a tree's nodes in that order
 * too, so a merge of the two lists finds them without a lookup table or a string per name.
 * A tree stored out of order (or with a name twice) is searched through a Map instead, with
 * the Map's rule that the last node of a name wins.
 */
export function matchNodes(names: readonly Uint8Array[], nodes: readonly Node[]): (Node | undefined)[] {
  const out = new Array<Node | undefined>(names.length);
  if (!inOrder(nodes)) return matchByMap(names, nodes);
  let j = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    let c = -1;
    while (j < nodes.length && (c = compareNames(nodes[j]!.name, name)) < 0) j++;
    out[i] = j < nodes.length && c === 0 ? nodes[j] : undefined;
    if (i + 1 < names.length && compareNames(name, names[i + 1]!) >= 0) return matchByMap(names, nodes);
  }
  return out;
}

/** One node named `name`, found as matchNodes would (for the few entries of the root tree). */
export function findNode(nodes: readonly Node[], name: Uint8Array): Node | undefined {
  return matchNodes([name], nodes)[0];
}

function inOrder(nodes: readonly Node[]): boolean {
  for (let i = 1; i < nodes.length; i++) if (compareNames(nodes[i - 1]!.name, nodes[i]!.name) >= 0) return false;
  return true;
}

const key = (name: Uint8Array) => Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('latin1');

function matchByMap(names: readonly Uint8Array[], nodes: readonly Node[]): (Node | undefined)[] {
  const byName = new Map(nodes.map((n) => [key(n.name), n]));
  return names.map((n) => byName.get(key(n)));
}
