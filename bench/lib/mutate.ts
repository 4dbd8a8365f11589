// The "small change" scenario for generated datasets, as shared/bench/mutate.mjs does it for the full one:
// every 100th .js file (sorted walk) gets 64 bytes overwritten mid-file and one line appended, and SQL text
// is appended to db/dump.sql (10 MiB on the 2 GiB dataset; here scaled to the dump: 10/511 of its size).
// Originals go to DATADIR.mutbak; revert restores them, truncates the dump and resets the mtimes.
// (mutate.mjs itself truncates the dump to the full dataset's length, so it cannot revert a smaller one.)
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, copyFileSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { FIXED_MTIME } from './gen-data.js';

export function backupDir(root: string): string {
  return root.replace(/\/+$/, '') + '.mutbak';
}

/** Every .js file under src/, in the order mutate.mjs walks them. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) out.push(p);
    }
  };
  walk(join(root, 'src'));
  return out.filter((_, i) => i % 100 === 0);
}

function patchFile(file: string, i: number): void {
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    writeSync(fd, Buffer.from(`/* modified ${i} */`.padEnd(64, 'x')), 0, 64, Math.floor(size / 2));
  } finally {
    closeSync(fd);
  }
  appendFileSync(file, `export const patched${i} = ${i * 7919};\n`);
}

function sqlText(bytes: number): Buffer {
  let seed = 12345;
  const r = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const lines: string[] = [];
  let len = 0;
  for (let n = 0; len < bytes; n++) {
    const md5 = createHash('md5').update(String(r())).digest('hex');
    const l = `INSERT INTO public.audit_log VALUES (${n}, '${md5}', ${r() % 100000}, '2024-06-${String(1 + (r() % 28)).padStart(2, '0')} 12:00:00+00');`;
    lines.push(l);
    len += l.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n').subarray(0, bytes);
}

export function applyMutation(root: string): string {
  const bak = backupDir(root);
  if (existsSync(bak)) throw new Error(`already applied? ${bak} exists`);
  const chosen = sourceFiles(root);
  chosen.forEach((f, i) => {
    const b = join(bak, relative(root, f));
    mkdirSync(dirname(b), { recursive: true });
    copyFileSync(f, b);
    patchFile(f, i);
  });
  const dump = join(root, 'db', 'dump.sql');
  const dumpSize = fstatSizeOf(dump);
  const append = Math.max(64 * 1024, Math.round((dumpSize * 10) / 511));
  writeFileSync(join(bak, 'dump-size.json'), JSON.stringify({ size: dumpSize }));
  appendFileSync(dump, sqlText(append));
  return `mutated ${chosen.length} files, dump +${append} bytes`;
}

function fstatSizeOf(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

export function revertMutation(root: string): string {
  const bak = backupDir(root);
  const chosen = sourceFiles(root);
  for (const f of chosen) {
    copyFileSync(join(bak, relative(root, f)), f);
    utimesSync(f, FIXED_MTIME, FIXED_MTIME);
  }
  const dump = join(root, 'db', 'dump.sql');
  const { size } = JSON.parse(readFileSync(join(bak, 'dump-size.json'), 'utf8')) as { size: number };
  truncateSync(dump, size);
  utimesSync(dump, FIXED_MTIME, FIXED_MTIME);
  rmSync(bak, { recursive: true });
  return `reverted ${chosen.length} files and dump`;
}
