import { LifeboatError } from '../errors/index.js';
import { FILE_TYPES, isId, shortId, type FileType, type Handle } from '../model/index.js';

/**
 * restic's "default" layout, the only one Lifeboat writes. Paths are relative to the
 * repository root and always use `/`, so object stores (s3) can use them as keys as they are.
 */
const DIRS = {
  config: '',
  key: 'keys',
  snapshot: 'snapshots',
  index: 'index',
  lock: 'locks',
  data: 'data',
} as const satisfies Record<FileType, string>;

/** The folder that holds files of `type` (`''` for config, which sits at the root). */
export function dirOf(type: FileType): string {
  // Types arrive from untyped places too (URLs, JSON), so check at runtime.
  if (!Object.hasOwn(DIRS, type)) {
    throw new LifeboatError('INVALID_ARGUMENT', `unknown file type "${String(type).slice(0, 40)}"; expected one of ${FILE_TYPES.join(', ')}`);
  }
  return DIRS[type];
}

/**
 * Where a file lives, e.g. `data/ab/ab12…`. Throws `INVALID_ARGUMENT` for a name that is not
 * a 64-hex ID (or not `''` for config): this check is what keeps names like `../x` from ever
 * reaching a file system or an object key.
 */
export function filePath(h: Handle): string {
  const dir = dirOf(h.type);
  if (h.type === 'config') {
    if (h.name !== '') throw new LifeboatError('INVALID_ARGUMENT', `invalid config handle name ${JSON.stringify(h.name.slice(0, 80))}: the config file has the empty name ""`);
    return 'config';
  }
  if (!isId(h.name)) {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid ${h.type} file name ${JSON.stringify(String(h.name).slice(0, 80))}: expected 64 lower-case hex digits`);
  }
  // Packs are spread over 256 subfolders so that no folder grows to hundreds of thousands of entries.
  return h.type === 'data' ? `${dir}/${h.name.slice(0, 2)}/${h.name}` : `${dir}/${h.name}`;
}

/**
 * The inverse of `filePath`: the handle a repository-relative path names, or `undefined` for
 * anything else (temp files, misplaced packs, foreign files). Listing code of key-value
 * backends feeds every key through this, which makes missing or extra `data/` subfolders
 * harmless. A pack under the wrong subfolder is not accepted, because `load` would not find it there.
 */
export function parseFilePath(path: string): Handle | undefined {
  if (path === 'config') return { type: 'config', name: '' };
  const parts = path.split('/');
  if (parts.length === 3 && parts[0] === 'data') {
    const [, sub, name] = parts as [string, string, string];
    return isId(name) && name.slice(0, 2) === sub ? { type: 'data', name } : undefined;
  }
  if (parts.length !== 2) return undefined;
  const [dir, name] = parts as [string, string];
  const type = FILE_TYPES.find((t) => t !== 'config' && t !== 'data' && DIRS[t] === dir);
  return type !== undefined && isId(name) ? { type, name } : undefined;
}

/** A short, printable form of a handle for messages: `data/ab/ab12cd34…`. Never throws. */
export function displayPath(h: Handle): string {
  if (h.type === 'config') return 'config';
  const dir = Object.hasOwn(DIRS, h.type) ? DIRS[h.type] : String(h.type);
  if (!isId(h.name)) return `${dir}/${JSON.stringify(String(h.name).slice(0, 40))}`;
  const sub = h.type === 'data' ? `${h.name.slice(0, 2)}/` : '';
  return `${dir}/${sub}${shortId(h.name)}…`;
}
