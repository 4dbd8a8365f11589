import { readFileSync } from 'node:fs';
import type { FilesSpec } from './source-specs.js';

export interface FilesPlan {
  readonly paths: readonly string[];
  /** Exclude patterns for the archiver, each scoped to the source it came from. */
  readonly excludes: readonly string[];
}

/** Escapes restic pattern syntax so a literal path matches only itself. */
export function literalPattern(path: string): string {
  return path.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Real paths for the archiver. A pattern of one source must not exclude files of another
 * (the archiver has one exclude list per snapshot), so `*.tmp` of a source with path /a
 * becomes `/a/**\/*.tmp`. one_file_system excludes the mount points below the paths.
 */
export function planFiles(specs: readonly FilesSpec[], mountPoints: () => readonly string[] = readMountPoints): FilesPlan {
  const paths: string[] = [];
  const excludes: string[] = [];
  let mounts: readonly string[] | undefined;
  for (const s of specs) {
    for (const p of s.paths) if (!paths.includes(p)) paths.push(p);
    for (const pattern of s.exclude ?? []) {
      if (pattern.startsWith('/')) excludes.push(pattern);
      else for (const p of s.paths) excludes.push(`${literalPattern(p.replace(/\/+$/, ''))}/**/${pattern}`);
    }
    if (s.oneFileSystem) {
      mounts ??= mountPoints();
      for (const p of s.paths) {
        const prefix = p.replace(/\/+$/, '') + '/';
        for (const m of mounts) if (m.startsWith(prefix)) excludes.push(literalPattern(m));
      }
    }
  }
  return { paths, excludes };
}

/** Mount points from /proc/self/mountinfo (field 5, octal escapes decoded). */
export function readMountPoints(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && m !== '')
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}
