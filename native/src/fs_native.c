/*
 * Lifeboat's native file-system helpers, for what Node's fs cannot do:
 *
 *   lutimesNs(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec)
 *       utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW): nanosecond times, not
 *       following a symlink. Seconds are BigInts (a Number that is an integer is also
 *       accepted), nanoseconds Numbers in [0, 1e9).
 *   llistxattr(path) -> Buffer[]      names as raw bytes; [] when the file system has
 *                                      no extended attributes (ENOTSUP)
 *   lgetxattr(path, name) -> Buffer
 *   lsetxattr(path, name, value)      flags 0 (create or replace)
 *   aes256CtrXor(key, iv, src, dst)   AES-256-CTR keystream (key 32 bytes, IV 16) XORed
 *                                      into dst[0, src.length); dst may be src. OpenSSL's
 *                                      EVP, the one Node itself carries; one context per
 *                                      thread, so no per-call setup of a JS Cipher object.
 *   scanDir(path) -> { names: Buffer, stats: BigInt64Array }
 *       A directory's entries (without . and ..) in byte order of their names (strcmp, as
 *       Node's readdirSync returns them), each lstat'ed relative
 *       to the open directory (fstatat, AT_SYMLINK_NOFOLLOW) and its xattr name list sized
 *       (llistxattr(path/name, NULL, 0)): one call per directory instead of two or three
 *       per entry. names: each entry's name followed by a NUL. stats: SCAN_FIELDS values
 *       per entry: fstatat's errno (0 when it worked), dev, ino, mode, nlink, uid, gid,
 *       rdev, size, atime sec, nsec, mtime sec, nsec, ctime sec, nsec, the xattr list
 *       size (0 for none or ENOTSUP, -errno when listing failed), and the three times in
 *       nanoseconds (INT64_MIN when they do not fit in 64 bits).
 *       (dir_scan.c.)
 *   scanAheadStart(roots, maxQueued) -> handle
 *       Scans the trees below `roots` (absolute paths, each followed by a NUL, in the order
 *       a walk visits them) on a thread of its own, depth first with entries in byte order,
 *       as scanDir would, keeping at most maxQueued entries ahead (scan_ahead.c).
 *   scanAheadTake(handle, path) -> { names, stats } | { errno } | null
 *       That thread's scan of directory `path` (waiting for it), its errno when opening or
 *       reading it failed, or null when the thread never scans it (then call scanDir).
 *   scanAheadSkip(handle, path)       the walk will not enter `path` (a hint)
 *   scanAheadClose(handle)            stops the thread; also done when the handle is
 *                                      collected or the environment ends
 *   decodeIndex(json) -> { packIds, supersedes?, packOf, types, keys, offsets, lengths, ulens } | null
 *       A repository index file's JSON in columns (IDs as 32 bytes each), or null when it
 *       is not in the shape restic writes (then parse it as JSON) (index_decode.c).
 *   tuneMalloc(arenaMax, mmapThreshold) -> boolean
 *       glibc's mallopt(M_ARENA_MAX) and mallopt(M_MMAP_THRESHOLD); false elsewhere.
 *
 * Paths and names are Uint8Arrays (Buffers) of raw bytes: file names need not be UTF-8.
 * They are copied and NUL-terminated here; an embedded NUL is refused. None of the calls
 * follows a symlink.
 *
 * A failing system call throws an Error shaped like Node's fs errors: message
 * "ENOENT: no such file or directory, utimensat '/x'", code "ENOENT", errno -2 (negated,
 * as Node does), syscall and path (decoded as UTF-8, invalid bytes replaced). A bad
 * argument throws a TypeError or RangeError with code ERR_INVALID_ARG_TYPE,
 * ERR_INVALID_ARG_VALUE or ERR_OUT_OF_RANGE.
 *
 * All calls are synchronous and short (one or two system calls), like fs.*Sync.
 * Linux is the target; macOS's *xattr calls (XATTR_NOFOLLOW) are mapped too, with its
 * ENOATTR reported as ENODATA, Linux's name for "no such attribute". Elsewhere the
 * xattr calls report ENOTSUP (and llistxattr returns []).
 */
#include <node_api.h>

#include <errno.h>
#include <openssl/evp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>

#include "dir_scan.h"
#include "index_decode.h"
#include "scan_ahead.h"
#include "xattr_sys.h"

/* How many times a list/get is retried when the attribute grows between the size query
 * and the read (ERANGE). */
#define LB_XATTR_RETRIES 8

/* ---------------------------------------------------------------- errno names */

struct errno_name {
  int value;
  const char *name;
};

/* First match wins, so aliases (EWOULDBLOCK, EOPNOTSUPP, EDEADLOCK) come after the name
 * libuv, and so Node, uses for the same number. */
static const struct errno_name ERRNO_NAMES[] = {
#define E(x) {x, #x},
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF)
    E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV)
    E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY)
    E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE)
    E(EDEADLK) E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP)
#ifdef ENODATA
    E(ENODATA)
#endif
#ifdef ENOATTR
    {ENOATTR, "ENODATA"},
#endif
    E(ENOTSUP) E(EOPNOTSUPP) E(EOVERFLOW) E(EILSEQ) E(ECANCELED) E(ETIMEDOUT)
#ifdef EDQUOT
    E(EDQUOT)
#endif
#ifdef ESTALE
    E(ESTALE)
#endif
#ifdef ENOTCONN
    E(ENOTCONN)
#endif
#ifdef EWOULDBLOCK
    E(EWOULDBLOCK)
#endif
#undef E
};

static const char *errno_name(int err) {
  for (size_t i = 0; i < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0]; i++) {
    if (ERRNO_NAMES[i].value == err) return ERRNO_NAMES[i].name;
  }
  return NULL;
}

/* ---------------------------------------------------------------- throwing */

/* Throws unless an exception is already pending (a failed napi call may have set one). */
static void throw_if_none(napi_env env, const char *msg) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  napi_throw_error(env, "ERR_LIFEBOAT_NATIVE", msg);
}

#define NAPI_OK(env, call)                                   \
  do {                                                       \
    if ((call) != napi_ok) {                                 \
      throw_if_none((env), "fs_native: Node-API call failed: " #call); \
      goto fail;                                             \
    }                                                        \
  } while (0)

static void set_prop(napi_env env, napi_value obj, const char *key, napi_value v) {
  if (v != NULL) napi_set_named_property(env, obj, key, v);
}

/* Throws a Node-style system error for `err` from `syscall` on `path`. */
static void throw_errno(napi_env env, int err, const char *syscall, const char *path, size_t path_len) {
  char fallback[32];
  const char *name = errno_name(err);
  if (name == NULL) {
    snprintf(fallback, sizeof fallback, "Unknown system error %d", err);
    name = fallback;
  }
  const char *desc = strerror(err);
  /* The message needs the path as a C string for snprintf; it is NUL-terminated by
   * the caller's copy (path[path_len] == 0). */
  size_t cap = strlen(name) + strlen(desc) + strlen(syscall) + path_len + 16;
  char *msg = malloc(cap);
  napi_value code_v = NULL, msg_v = NULL, err_v = NULL, errno_v = NULL, syscall_v = NULL, path_v = NULL;
  if (msg == NULL) {
    napi_throw_error(env, name, desc);
    return;
  }
  if (path != NULL) snprintf(msg, cap, "%s: %s, %s '%s'", name, desc, syscall, path);
  else snprintf(msg, cap, "%s: %s, %s", name, desc, syscall);
  /* Lower-case the description's first letter, as libuv's (so Node's) messages read. */
  size_t d0 = strlen(name) + 2;
  if (msg[d0] >= 'A' && msg[d0] <= 'Z' && msg[d0 + 1] >= 'a' && msg[d0 + 1] <= 'z') msg[d0] = (char)(msg[d0] - 'A' + 'a');
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code_v) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msg_v) != napi_ok ||
      napi_create_error(env, code_v, msg_v, &err_v) != napi_ok) {
    free(msg);
    throw_if_none(env, "fs_native: could not create an error");
    return;
  }
  free(msg);
  if (napi_create_int32(env, -err, &errno_v) == napi_ok) set_prop(env, err_v, "errno", errno_v);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_v) == napi_ok) set_prop(env, err_v, "syscall", syscall_v);
  if (path != NULL && napi_create_string_utf8(env, path, path_len, &path_v) == napi_ok) set_prop(env, err_v, "path", path_v);
  napi_throw(env, err_v);
}

static void throw_type(napi_env env, const char *code, const char *msg) { napi_throw_type_error(env, code, msg); }

/* ---------------------------------------------------------------- arguments */

static bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    throw_if_none(env, "fs_native: could not read the arguments");
    return false;
  }
  if (argc < want) {
    char msg[64];
    snprintf(msg, sizeof msg, "expected %zu arguments, got %zu", want, argc);
    throw_type(env, "ERR_MISSING_ARGS", msg);
    return false;
  }
  return true;
}

/* The bytes of a Uint8Array (Buffer) argument, without copying. *data may be NULL when
 * *len is 0. */
static bool get_u8(napi_env env, napi_value v, const char *what, const uint8_t **data, size_t *len) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *d = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, len, &d, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    char msg[96];
    snprintf(msg, sizeof msg, "The \"%s\" argument must be a Buffer or Uint8Array", what);
    throw_type(env, "ERR_INVALID_ARG_TYPE", msg);
    return false;
  }
  *data = d;
  return true;
}

/* A NUL-terminated malloc'd copy of a byte-string argument (a path or attribute name).
 * Refuses an empty string or one with an embedded NUL. The caller frees *out. */
static bool get_cstr(napi_env env, napi_value v, const char *what, char **out, size_t *out_len) {
  const uint8_t *data;
  size_t len;
  if (!get_u8(env, v, what, &data, &len)) return false;
  if (len == 0 || memchr(data, 0, len) != NULL) {
    char msg[112];
    snprintf(msg, sizeof msg, "The \"%s\" argument must be non-empty and contain no NUL bytes", what);
    throw_type(env, "ERR_INVALID_ARG_VALUE", msg);
    return false;
  }
  char *s = malloc(len + 1);
  if (s == NULL) {
    napi_throw_error(env, "ENOMEM", "fs_native: out of memory");
    return false;
  }
  memcpy(s, data, len);
  s[len] = 0;
  *out = s;
  *out_len = len;
  return true;
}

/* Whole seconds: a BigInt, or a Number that is an integer; must fit time_t. */
static bool get_seconds(napi_env env, napi_value v, const char *what, time_t *out) {
  napi_valuetype t;
  int64_t s = 0;
  char msg[112];
  if (napi_typeof(env, v, &t) != napi_ok) {
    throw_if_none(env, "fs_native: typeof failed");
    return false;
  }
  if (t == napi_bigint) {
    bool lossless = false;
    if (napi_get_value_bigint_int64(env, v, &s, &lossless) != napi_ok) {
      throw_if_none(env, "fs_native: could not read a BigInt");
      return false;
    }
    if (!lossless) goto range;
  } else if (t == napi_number) {
    double d = 0;
    if (napi_get_value_double(env, v, &d) != napi_ok) {
      throw_if_none(env, "fs_native: could not read a number");
      return false;
    }
    /* 2^63 is exactly representable; anything at or beyond it does not fit. */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != (double)(int64_t)d) goto range;
    s = (int64_t)d;
  } else {
    snprintf(msg, sizeof msg, "The \"%s\" argument must be a bigint", what);
    throw_type(env, "ERR_INVALID_ARG_TYPE", msg);
    return false;
  }
  if ((int64_t)(time_t)s != s) goto range;
  *out = (time_t)s;
  return true;
range:
  snprintf(msg, sizeof msg, "The \"%s\" argument is out of range (whole seconds that fit time_t)", what);
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return false;
}

/* Nanoseconds: an integer Number in [0, 999999999]. */
static bool get_nsec(napi_env env, napi_value v, const char *what, long *out) {
  napi_valuetype t;
  double d = 0;
  char msg[112];
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    snprintf(msg, sizeof msg, "The \"%s\" argument must be a number", what);
    throw_type(env, "ERR_INVALID_ARG_TYPE", msg);
    return false;
  }
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    throw_if_none(env, "fs_native: could not read a number");
    return false;
  }
  if (!(d >= 0 && d < 1e9) || d != (double)(long)d) {
    snprintf(msg, sizeof msg, "The \"%s\" argument must be an integer in [0, 999999999]", what);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return false;
  }
  *out = (long)d;
  return true;
}

/* ---------------------------------------------------------------- lutimesNs */

static napi_value lutimes_ns(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  char *path = NULL;
  size_t path_len = 0;
  struct timespec ts[2];
  if (!get_args(env, info, 5, argv)) return NULL;
  if (!get_seconds(env, argv[1], "atimeSec", &ts[0].tv_sec) || !get_nsec(env, argv[2], "atimeNsec", &ts[0].tv_nsec) ||
      !get_seconds(env, argv[3], "mtimeSec", &ts[1].tv_sec) || !get_nsec(env, argv[4], "mtimeNsec", &ts[1].tv_nsec))
    return NULL;
  if (!get_cstr(env, argv[0], "path", &path, &path_len)) return NULL;
  if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0) throw_errno(env, errno, "utimensat", path, path_len);
  free(path);
  return NULL;
}

/* ---------------------------------------------------------------- xattrs */


static napi_value llistxattr_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result = NULL, item;
  char *path = NULL, *buf = NULL;
  size_t path_len = 0;
  ssize_t n = 0;
  int err = 0;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (!get_cstr(env, argv[0], "path", &path, &path_len)) return NULL;
  for (int attempt = 0;; attempt++) {
    n = sys_llistxattr(path, NULL, 0);
    if (n <= 0) break;
    buf = malloc((size_t)n);
    if (buf == NULL) {
      n = -1;
      errno = ENOMEM;
      break;
    }
    n = sys_llistxattr(path, buf, (size_t)n);
    if (n >= 0 || errno != ERANGE || attempt + 1 >= LB_XATTR_RETRIES) break;
    free(buf);
    buf = NULL;
  }
  if (n < 0) {
    err = errno;
    if (!is_enotsup(err)) {
      throw_errno(env, err, "llistxattr", path, path_len);
      goto fail;
    }
    n = 0; /* no extended attributes on this file system: an empty list */
  }
  NAPI_OK(env, napi_create_array(env, &result));
  uint32_t count = 0;
  for (ssize_t i = 0; i < n;) {
    size_t len = strnlen(buf + i, (size_t)(n - i));
    if (len > 0) {
      NAPI_OK(env, napi_create_buffer_copy(env, len, buf + i, NULL, &item));
      NAPI_OK(env, napi_set_element(env, result, count++, item));
    }
    i += (ssize_t)len + 1;
  }
  free(buf);
  free(path);
  return result;
fail:
  free(buf);
  free(path);
  return NULL;
}

static napi_value lgetxattr_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], result = NULL;
  char *path = NULL, *name = NULL, *buf = NULL;
  size_t path_len = 0, name_len = 0;
  ssize_t n = 0;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!get_cstr(env, argv[0], "path", &path, &path_len)) return NULL;
  if (!get_cstr(env, argv[1], "name", &name, &name_len)) goto fail;
  for (int attempt = 0;; attempt++) {
    n = sys_lgetxattr(path, name, NULL, 0);
    if (n <= 0) break;
    buf = malloc((size_t)n);
    if (buf == NULL) {
      n = -1;
      errno = ENOMEM;
      break;
    }
    n = sys_lgetxattr(path, name, buf, (size_t)n);
    if (n >= 0 || errno != ERANGE || attempt + 1 >= LB_XATTR_RETRIES) break;
    free(buf);
    buf = NULL;
  }
  if (n < 0) {
    throw_errno(env, errno, "lgetxattr", path, path_len);
    goto fail;
  }
  NAPI_OK(env, napi_create_buffer_copy(env, (size_t)n, buf, NULL, &result));
  free(buf);
  free(name);
  free(path);
  return result;
fail:
  free(buf);
  free(name);
  free(path);
  return NULL;
}

static napi_value lsetxattr_js(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char *path = NULL, *name = NULL;
  size_t path_len = 0, name_len = 0, value_len = 0;
  const uint8_t *value = NULL;
  static const uint8_t empty = 0;
  if (!get_args(env, info, 3, argv)) return NULL;
  if (!get_u8(env, argv[2], "value", &value, &value_len)) return NULL;
  if (!get_cstr(env, argv[0], "path", &path, &path_len)) return NULL;
  if (!get_cstr(env, argv[1], "name", &name, &name_len)) goto done;
  /* No JS runs between get_u8 and the call, so `value` stays valid. A zero-length
   * array may have handed back NULL, which setxattr should not see. */
  if (value == NULL) value = &empty;
  if (sys_lsetxattr(path, name, value, value_len) != 0) throw_errno(env, errno, "lsetxattr", path, path_len);
done:
  free(name);
  free(path);
  return NULL;
}

/* ---------------------------------------------------------------- aes-ctr */

static napi_value aes256_ctr_xor(napi_env env, napi_callback_info info) {
  static __thread EVP_CIPHER_CTX *ctx = NULL;
  napi_value argv[4];
  const uint8_t *key = NULL, *iv = NULL, *src = NULL, *dst = NULL;
  size_t key_len = 0, iv_len = 0, src_len = 0, dst_len = 0;
  int outl = 0;
  if (!get_args(env, info, 4, argv)) return NULL;
  if (!get_u8(env, argv[0], "key", &key, &key_len) || !get_u8(env, argv[1], "iv", &iv, &iv_len) ||
      !get_u8(env, argv[2], "src", &src, &src_len) || !get_u8(env, argv[3], "dst", &dst, &dst_len)) return NULL;
  if (key_len != 32 || iv_len != 16 || dst_len < src_len || src_len > INT_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "aes256CtrXor needs a 32-byte key, a 16-byte IV and dst at least as long as src");
    return NULL;
  }
  if (ctx == NULL && (ctx = EVP_CIPHER_CTX_new()) == NULL) {
    napi_throw_error(env, "ERR_CRYPTO", "aes256CtrXor: out of memory");
    return NULL;
  }
  if (EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, iv) != 1 ||
      (src_len > 0 && EVP_EncryptUpdate(ctx, (uint8_t *)dst, &outl, src, (int)src_len) != 1) || (size_t)outl != src_len) {
    napi_throw_error(env, "ERR_CRYPTO", "aes256CtrXor: OpenSSL failed");
    return NULL;
  }
  return NULL;
}

/* ---------------------------------------------------------------- malloc */

/* Worker threads each get a glibc arena, and glibc raises its mmap threshold after every
 * large free, so multi-MiB buffers freed by one thread end up as heap that stays resident.
 * A fixed threshold (which also stops the raising) and few arenas return them instead. */
static napi_value tune_malloc(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  int32_t arena_max = 0, threshold = 0;
  bool ok = false;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (napi_get_value_int32(env, argv[0], &arena_max) != napi_ok || napi_get_value_int32(env, argv[1], &threshold) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "tuneMalloc takes two integers");
    return NULL;
  }
#ifdef __GLIBC__
  ok = mallopt(M_ARENA_MAX, arena_max) == 1 && mallopt(M_MMAP_THRESHOLD, threshold) == 1;
#endif
  napi_get_boolean(env, ok, &result);
  return result;
}

/* ---------------------------------------------------------------- scanDir */

/* { names, stats } as scanDir returns them, copied out of `s`. */
static napi_value scan_js(napi_env env, const struct dir_scan *s) {
  napi_value result = NULL, names_js, stats_ab, stats_js;
  void *data = NULL;
  NAPI_OK(env, napi_create_object(env, &result));
  NAPI_OK(env, napi_create_buffer_copy(env, s->names_len, s->names_len ? s->names : "", NULL, &names_js));
  NAPI_OK(env, napi_create_arraybuffer(env, s->count * SCAN_FIELDS * sizeof *s->stats, &data, &stats_ab));
  if (s->count) memcpy(data, s->stats, s->count * SCAN_FIELDS * sizeof *s->stats);
  NAPI_OK(env, napi_create_typedarray(env, napi_bigint64_array, s->count * SCAN_FIELDS, stats_ab, 0, &stats_js));
  NAPI_OK(env, napi_set_named_property(env, result, "names", names_js));
  NAPI_OK(env, napi_set_named_property(env, result, "stats", stats_js));
  return result;
fail:
  return NULL;
}

static napi_value scan_dir(napi_env env, napi_callback_info info) {
  napi_value argv[1], result = NULL;
  char *path = NULL;
  size_t path_len = 0;
  struct dir_scan s;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (!get_cstr(env, argv[0], "path", &path, &path_len)) return NULL;
  int err = dir_scan(path, path_len, 0, &s);
  if (err != 0) throw_errno(env, err, "scandir", path, path_len);
  else {
    result = scan_js(env, &s);
    dir_scan_free(&s);
  }
  free(path);
  return result;
}

/* ---------------------------------------------------------------- scan ahead */

/* The JS handle of a scan_ahead: closed by scanAheadClose, else when collected or when the
 * environment ends (the thread must not outlive the addon). */
struct scan_ahead_handle {
  struct scan_ahead *sa;
  napi_env env;
};

static void scan_ahead_handle_close(void *arg) {
  struct scan_ahead_handle *h = arg;
  if (h->sa == NULL) return;
  scan_ahead_close(h->sa);
  h->sa = NULL;
  napi_remove_env_cleanup_hook(h->env, scan_ahead_handle_close, h);
}

static void scan_ahead_handle_finalize(napi_env env, void *data, void *hint) {
  scan_ahead_handle_close(data);
  free(data);
}

static struct scan_ahead_handle *get_scan_ahead(napi_env env, napi_value v) {
  struct scan_ahead_handle *h = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, (void **)&h) != napi_ok || h == NULL) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"handle\" argument must be a scan-ahead handle");
    return NULL;
  }
  return h;
}

static napi_value scan_ahead_start_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], result = NULL;
  const uint8_t *joined = NULL;
  size_t joined_len = 0, nroots = 0;
  uint32_t max_queued = 0;
  const char **roots = NULL;
  size_t *lens = NULL;
  struct scan_ahead_handle *h = NULL;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!get_u8(env, argv[0], "roots", &joined, &joined_len)) return NULL;
  if (napi_get_value_uint32(env, argv[1], &max_queued) != napi_ok) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"maxQueued\" argument must be a number");
    return NULL;
  }
  if (joined_len == 0 || joined[joined_len - 1] != 0) {
    throw_type(env, "ERR_INVALID_ARG_VALUE", "The \"roots\" argument must be paths each followed by a NUL");
    return NULL;
  }
  for (size_t i = 0; i < joined_len; i++) nroots += joined[i] == 0;
  roots = malloc(nroots * sizeof *roots);
  lens = malloc(nroots * sizeof *lens);
  h = calloc(1, sizeof *h);
  if (roots == NULL || lens == NULL || h == NULL) goto oom;
  for (size_t i = 0, at = 0; i < nroots; i++) {
    roots[i] = (const char *)joined + at;
    lens[i] = strlen(roots[i]);
    at += lens[i] + 1;
  }
  h->env = env;
  h->sa = scan_ahead_start(roots, lens, nroots, max_queued);
  if (h->sa == NULL) {
    throw_errno(env, errno, "pthread_create", NULL, 0);
    goto fail;
  }
  NAPI_OK(env, napi_add_env_cleanup_hook(env, scan_ahead_handle_close, h));
  if (napi_create_external(env, h, scan_ahead_handle_finalize, NULL, &result) != napi_ok) {
    scan_ahead_handle_close(h);
    throw_if_none(env, "fs_native: could not create the scan-ahead handle");
    goto fail;
  }
  h = NULL; /* owned by the external now */
  goto done;
oom:
  throw_errno(env, ENOMEM, "scanAheadStart", NULL, 0);
fail:
  if (h != NULL && h->sa != NULL) scan_ahead_handle_close(h);
  result = NULL;
done:
  free(h);
  free(roots);
  free(lens);
  return result;
}

/* scanAheadTake(handle, path) -> { names, stats } | { errno } | null: see scan_ahead_take. */
static napi_value scan_ahead_take_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], result = NULL, errno_v;
  char *path = NULL;
  size_t path_len = 0;
  struct scan_item *item = NULL;
  if (!get_args(env, info, 2, argv)) return NULL;
  struct scan_ahead_handle *h = get_scan_ahead(env, argv[0]);
  if (h == NULL || !get_cstr(env, argv[1], "path", &path, &path_len)) return NULL;
  item = h->sa == NULL ? NULL : scan_ahead_take(h->sa, path, path_len);
  if (item == NULL) {
    NAPI_OK(env, napi_get_null(env, &result));
  } else if (item->err != 0) {
    NAPI_OK(env, napi_create_object(env, &result));
    NAPI_OK(env, napi_create_int32(env, item->err, &errno_v));
    NAPI_OK(env, napi_set_named_property(env, result, "errno", errno_v));
  } else {
    result = scan_js(env, &item->scan);
  }
  goto done;
fail:
  result = NULL;
done:
  scan_item_free(item);
  free(path);
  return result;
}

static napi_value scan_ahead_skip_js(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char *path = NULL;
  size_t path_len = 0;
  if (!get_args(env, info, 2, argv)) return NULL;
  struct scan_ahead_handle *h = get_scan_ahead(env, argv[0]);
  if (h == NULL || !get_cstr(env, argv[1], "path", &path, &path_len)) return NULL;
  if (h->sa != NULL) scan_ahead_skip(h->sa, path, path_len);
  free(path);
  return NULL;
}

static napi_value scan_ahead_close_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  struct scan_ahead_handle *h = get_scan_ahead(env, argv[0]);
  if (h != NULL) scan_ahead_handle_close(h);
  return NULL;
}

/* ---------------------------------------------------------------- index files */

/* A typed array of `count` elements of `type`, copied from `data`. */
static napi_value typed_copy(napi_env env, napi_typedarray_type type, size_t elem, const void *data, size_t count) {
  napi_value ab, ta;
  void *dst = NULL;
  if (napi_create_arraybuffer(env, count * elem, &dst, &ab) != napi_ok) return NULL;
  if (count) memcpy(dst, data, count * elem);
  if (napi_create_typedarray(env, type, count, ab, 0, &ta) != napi_ok) return NULL;
  return ta;
}

/* decodeIndex(json) -> { packIds, supersedes?, packOf, types, keys, offsets, lengths, ulens } | null */
static napi_value decode_index(napi_env env, napi_callback_info info) {
  napi_value argv[1], result = NULL, v;
  const uint8_t *json = NULL;
  size_t len = 0;
  struct index_columns c;
  if (!get_args(env, info, 1, argv) || !get_u8(env, argv[0], "json", &json, &len)) return NULL;
  int err = index_decode(json, len, &c);
  if (err == 1) {
    NAPI_OK(env, napi_get_null(env, &result));
    return result;
  }
  if (err != 0) {
    throw_errno(env, err, "decodeIndex", NULL, 0);
    return NULL;
  }
  NAPI_OK(env, napi_create_object(env, &result));
  NAPI_OK(env, napi_create_buffer_copy(env, c.packs * 32, c.packs ? (const void *)c.pack_ids : "", NULL, &v));
  NAPI_OK(env, napi_set_named_property(env, result, "packIds", v));
  if (c.has_supersedes) {
    NAPI_OK(env, napi_create_buffer_copy(env, c.supersedes * 32, c.supersedes ? (const void *)c.supersede_ids : "", NULL, &v));
    NAPI_OK(env, napi_set_named_property(env, result, "supersedes", v));
  }
  NAPI_OK(env, napi_create_buffer_copy(env, c.blobs * 32, c.blobs ? (const void *)c.keys : "", NULL, &v));
  NAPI_OK(env, napi_set_named_property(env, result, "keys", v));
  if ((v = typed_copy(env, napi_uint32_array, 4, c.pack_of, c.blobs)) == NULL) goto fail;
  NAPI_OK(env, napi_set_named_property(env, result, "packOf", v));
  if ((v = typed_copy(env, napi_uint8_array, 1, c.types, c.blobs)) == NULL) goto fail;
  NAPI_OK(env, napi_set_named_property(env, result, "types", v));
  if ((v = typed_copy(env, napi_uint32_array, 4, c.offsets, c.blobs)) == NULL) goto fail;
  NAPI_OK(env, napi_set_named_property(env, result, "offsets", v));
  if ((v = typed_copy(env, napi_uint32_array, 4, c.lengths, c.blobs)) == NULL) goto fail;
  NAPI_OK(env, napi_set_named_property(env, result, "lengths", v));
  if ((v = typed_copy(env, napi_uint32_array, 4, c.ulens, c.blobs)) == NULL) goto fail;
  NAPI_OK(env, napi_set_named_property(env, result, "ulens", v));
  index_columns_free(&c);
  return result;
fail:
  index_columns_free(&c);
  throw_if_none(env, "fs_native: could not build the decoded index");
  return NULL;
}

/* ---------------------------------------------------------------- module */

/* The layout of what the exports take and return. Bump it, with NATIVE_ABI in
 * src/lib/fs-native.ts, whenever one changes: the JavaScript side then refuses an addon
 * left over from another version (a checkout updated and rebuilt without `npm ci`) instead
 * of misreading its results. */
#define FS_NATIVE_ABI 2

NAPI_MODULE_INIT() {
  napi_value abi;
  napi_property_descriptor props[] = {
      {"lutimesNs", NULL, lutimes_ns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"llistxattr", NULL, llistxattr_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lgetxattr", NULL, lgetxattr_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsetxattr", NULL, lsetxattr_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tuneMalloc", NULL, tune_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scanDir", NULL, scan_dir, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scanAheadStart", NULL, scan_ahead_start_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scanAheadTake", NULL, scan_ahead_take_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scanAheadSkip", NULL, scan_ahead_skip_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scanAheadClose", NULL, scan_ahead_close_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"decodeIndex", NULL, decode_index, NULL, NULL, NULL, napi_enumerable, NULL},
      {"aes256CtrXor", NULL, aes256_ctr_xor, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok ||
      napi_create_uint32(env, FS_NATIVE_ABI, &abi) != napi_ok || napi_set_named_property(env, exports, "abi", abi) != napi_ok) {
    throw_if_none(env, "fs_native: could not define the exports");
    return NULL;
  }
  return exports;
}
