export { restoreTree, type RestoreOptions, type RestoreCounts, type RestoreReporter, type RestoreResult } from './restorer.js';
export { walkTree, loadTreeNodes, findNode, pathText, type WalkEntry } from './tree-walk.js';
