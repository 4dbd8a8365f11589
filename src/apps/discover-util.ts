import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDotEnv } from '../sources/index.js';

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The .env of the app root as a map; empty when there is none or it cannot be read. */
export function dotEnvOf(root: string): Map<string, string> {
  const text = readText(join(root, '.env'));
  if (text === undefined) return new Map();
  try {
    return parseDotEnv(text, join(root, '.env'));
  } catch {
    return new Map();
  }
}

export function existing(root: string, rel: readonly string[]): string[] {
  return rel.map((r) => join(root, r)).filter((p) => existsSync(p));
}

/** A value from Lifeboat's own environment first (what the app's service sees too), then from .env. */
export function envOrDotEnv(name: string, env: Readonly<Record<string, string | undefined>>, dotEnv: Map<string, string>, root: string): { value: string; source: string } | undefined {
  const e = env[name];
  if (e !== undefined && e !== '') return { value: e, source: `env:${name}` };
  const d = dotEnv.get(name);
  if (d !== undefined && d !== '') return { value: d, source: `${join(root, '.env')}#${name}` };
  return undefined;
}
