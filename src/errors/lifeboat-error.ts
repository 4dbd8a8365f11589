import { ERROR_CODES, type ErrorCode } from './codes.js';

/**
 * The one error type Lifeboat throws on purpose. `code` is stable (never renamed once
 * shipped); `message` says what is wrong and what to do, and never contains a secret.
 */
export class LifeboatError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; data?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LifeboatError';
    this.code = code;
    this.data = opts.data ?? {};
    this.retryable = ERROR_CODES[code].retryable;
  }
}

export function isLifeboatError(e: unknown, code?: ErrorCode): e is LifeboatError {
  return e instanceof LifeboatError && (code === undefined || e.code === code);
}
