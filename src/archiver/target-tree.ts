import { LifeboatError } from '../errors/index.js';
import type { VirtualDir } from './virtual-tree.js';

/**
 * The root tree of the paths to back up: each path's components become directories (with
 * their real metadata, as restic records them), and several paths share their common parents.
 */
export function targetTree(paths: readonly string[]): VirtualDir {
  const root: VirtualDir = { children: new Map() };
  for (const p of paths) {
    const parts = p.split('/').filter((c) => c !== '');
    if (parts.length === 0) throw new LifeboatError('INVALID_ARGUMENT', 'backing up "/" itself is not supported; name the directories to back up');
    let dir = root;
    let prefix = '';
    for (let i = 0; i < parts.length; i++) {
      prefix += '/' + parts[i];
      let child = dir.children.get(parts[i]!);
      if (!child) {
        child = { path: prefix, children: new Map() };
        dir.children.set(parts[i]!, child);
      }
      if (i === parts.length - 1) child.target = true;
      dir = child;
    }
  }
  return root;
}

/**
 * The paths the archiver walks, in the order it walks them: the tree's targets in its
 * insertion order, without those inside another target (walked as part of it).
 */
export function walkedTargets(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (dir: VirtualDir) => {
    for (const child of dir.children.values()) {
      if (child.target) out.push(child.path!);
      else visit(child);
    }
  };
  visit(targetTree(paths));
  return out;
}
