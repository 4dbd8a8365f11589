import { LifeboatError } from '../errors/index.js';
import { GO_ZERO_TIME, parseGoTime, type GoTime } from './go-time.js';
import { isId, type Id } from './id.js';
import { JsonNumber, type JsonObject, type JsonValue } from './parse-json.js';

const UINT = /^(?:0|[1-9]\d*)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const U64_MAX = 2n ** 64n - 1n;

/**
 * Typed access to one decoded JSON object, with Go's decoding rules: an absent key or
 * `null` leaves the zero value, a value of the wrong type is an error. Every error is
 * LifeboatError 'INVALID_DATA' naming `where` and the field.
 */
export class JsonFields {
  readonly obj: JsonObject;

  constructor(
    v: JsonValue | undefined,
    readonly where: string,
  ) {
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) {
      throw new LifeboatError('INVALID_DATA', `${where}: expected a JSON object`);
    }
    this.obj = v;
  }

  fail(key: string, why: string): never {
    throw new LifeboatError('INVALID_DATA', `${this.where}: field "${key}" ${why}`);
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  string(key: string): string {
    const v = this.obj[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') this.fail(key, 'must be a string');
    return v;
  }

  /** Unsigned integer of at most `bits` bits, exactly as written. */
  uintBig(key: string, bits: 32 | 64): bigint {
    const v = this.obj[key];
    if (v === undefined || v === null) return 0n;
    if (!(v instanceof JsonNumber) || !UINT.test(v.text) || v.text.length > 20) this.fail(key, 'must be an unsigned integer');
    const n = BigInt(v.text);
    if (n > (bits === 32 ? 0xffffffffn : U64_MAX)) this.fail(key, `exceeds uint${bits}`);
    return n;
  }

  /** Unsigned integer that must also fit a JS number exactly. */
  uint(key: string, bits: 32 | 64): number {
    const n = this.uintBig(key, bits);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(key, 'is too large');
    return Number(n);
  }

  time(key: string): GoTime {
    const v = this.obj[key];
    if (v === undefined || v === null) return GO_ZERO_TIME;
    if (typeof v !== 'string') this.fail(key, 'must be a time string');
    try {
      return parseGoTime(v);
    } catch (e) {
      return this.fail(key, `is not a valid time (${(e as Error).message})`);
    }
  }

  idOrNull(key: string): Id | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !isId(v)) this.fail(key, 'must be a 64-digit lower-case hex ID');
    return v;
  }

  idListOrNull(key: string): Id[] | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) this.fail(key, 'must be a list of IDs');
    for (const x of v) if (typeof x !== 'string' || !isId(x)) this.fail(key, 'must hold only 64-digit lower-case hex IDs');
    return v as Id[];
  }

  stringList(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) this.fail(key, 'must be a list of strings');
    return v as string[];
  }

  list(key: string): JsonValue[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, 'must be a list');
    return v;
  }

  /** Go's []byte: standard base64 with padding (Go also skips CR and LF). */
  bytes(key: string): Uint8Array {
    const v = this.obj[key];
    if (v === undefined || v === null) return new Uint8Array(0);
    if (typeof v !== 'string') this.fail(key, 'must be a base64 string');
    const clean = v.replace(/[\r\n]/g, '');
    if (!BASE64.test(clean)) this.fail(key, 'is not valid base64');
    return new Uint8Array(Buffer.from(clean, 'base64'));
  }
}
