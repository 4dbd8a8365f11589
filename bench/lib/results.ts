// Writes bench/results/<date>-<size>.json (everything measured) and .md (the tables).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** <date>-<label>, with -2, -3 ... when a run of the same day and size is already there. */
export function resultBase(dir: string, label: string, date: Date): string {
  const day = date.toISOString().slice(0, 10);
  let base = join(dir, `${day}-${label}`);
  for (let i = 2; existsSync(`${base}.json`) || existsSync(`${base}.md`); i++) base = join(dir, `${day}-${label}-${i}`);
  return base;
}

export function writeResults(dir: string, label: string, date: Date, json: unknown, markdown: string): string[] {
  mkdirSync(dir, { recursive: true });
  const base = resultBase(dir, label, date);
  writeFileSync(`${base}.json`, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(`${base}.md`, markdown);
  return [`${base}.json`, `${base}.md`];
}
