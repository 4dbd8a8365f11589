import { LifeboatError } from '../errors/index.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Parses JSON bytes from a repository file, turning any failure into a clean INVALID_DATA. */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new LifeboatError('INVALID_DATA', `${what} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function expectRecord(v: unknown, what: string): Record<string, unknown> {
  if (!isRecord(v)) throw new LifeboatError('INVALID_DATA', `${what}: expected a JSON object`);
  return v;
}

export function expectUint(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new LifeboatError('INVALID_DATA', `${what}: expected a non-negative integer, got ${JSON.stringify(v)?.slice(0, 40)}`);
  }
  return v;
}

export function expectString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new LifeboatError('INVALID_DATA', `${what}: expected a string`);
  return v;
}
