/**
 * The registry of error codes. `exit` is the CLI exit code (restic's where they overlap:
 * 10 no repository, 11 locked, 12 wrong password, 3 source partly unreadable, 130 interrupted).
 * Lifeboat's own: 4 backup saved but some mirrored location is behind (run `lifeboat sync`).
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: { exit: 1, retryable: false },
  INVALID_DATA: { exit: 1, retryable: false },
  CIPHERTEXT_VERIFICATION_FAILED: { exit: 1, retryable: false },
  HASH_MISMATCH: { exit: 1, retryable: false },
  BACKEND_NOT_FOUND: { exit: 1, retryable: false },
  BACKEND_ALREADY_EXISTS: { exit: 1, retryable: false },
  BACKEND_IO: { exit: 1, retryable: true },
  BACKEND_PERMISSION_DENIED: { exit: 1, retryable: false },
  BACKEND_NO_SPACE: { exit: 1, retryable: false },
  /** The server refused the credentials (ssh key or password, S3 access key): trying again cannot help. */
  BACKEND_AUTH_FAILED: { exit: 1, retryable: false },
  /** The ssh server's host key is not in known_hosts, or differs from the one recorded there. */
  BACKEND_HOST_KEY_REJECTED: { exit: 1, retryable: false },
  REPO_NOT_FOUND: { exit: 10, retryable: false },
  REPO_ALREADY_EXISTS: { exit: 1, retryable: false },
  REPO_WRONG_PASSWORD: { exit: 12, retryable: false },
  REPO_NO_PASSWORD: { exit: 1, retryable: false },
  REPO_LOCKED: { exit: 11, retryable: true },
  REPO_UNSUPPORTED: { exit: 1, retryable: false },
  REPO_CORRUPT: { exit: 1, retryable: false },
  KEY_NOT_FOUND: { exit: 1, retryable: false },
  KEY_LAST: { exit: 1, retryable: false },
  SNAPSHOT_NOT_FOUND: { exit: 1, retryable: false },
  SNAPSHOT_AMBIGUOUS: { exit: 1, retryable: false },
  PATH_NOT_FOUND: { exit: 1, retryable: false },
  BLOB_NOT_FOUND: { exit: 1, retryable: false },
  SOURCE_NOT_FOUND: { exit: 1, retryable: false },
  SOURCE_PARTIAL: { exit: 3, retryable: false },
  SOURCE_DUMP_FAILED: { exit: 1, retryable: true },
  SOURCE_AUTH_FAILED: { exit: 1, retryable: false },
  SOURCE_UNREACHABLE: { exit: 1, retryable: true },
  SOURCE_TOOL_MISSING: { exit: 1, retryable: false },
  RESTORE_TARGET_NOT_EMPTY: { exit: 1, retryable: false },
  CHECK_FAILED: { exit: 1, retryable: false },
  RESTORE_FAILED: { exit: 1, retryable: false },
  CONFIG_NOT_FOUND: { exit: 1, retryable: false },
  CONFIG_INVALID: { exit: 1, retryable: false },
  CONFIG_EXISTS: { exit: 1, retryable: false },
  /** A backup over mirrored locations was saved on some of them; the others are behind until `sync`. */
  LOCATIONS_BEHIND: { exit: 4, retryable: false },
  /** No location of a mirror could take the backup. */
  LOCATIONS_ALL_FAILED: { exit: 1, retryable: false },
  /** forget without any keep rule: restic refuses to remove everything unasked, and so do we. */
  FORGET_EMPTY_POLICY: { exit: 1, retryable: false },
  /** prune could not prove which data is still needed (a tree or pack is missing): nothing deleted. */
  PRUNE_UNSAFE: { exit: 1, retryable: false },
  INTERRUPTED: { exit: 130, retryable: false },
  INTERNAL: { exit: 1, retryable: false },
} as const satisfies Record<string, { exit: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code].exit;
}
