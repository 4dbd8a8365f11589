/*
 * One directory's entries with their lstat and xattr list size, in plain C (no Node-API), so
 * that both scanDir (on the calling thread) and the scan-ahead thread run the same code.
 */
#ifndef LIFEBOAT_DIR_SCAN_H
#define LIFEBOAT_DIR_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define SCAN_FIELDS 19

struct dir_scan {
  /* Each entry's name followed by a NUL, in byte order of the names (strcmp). */
  char *names;
  size_t names_len;
  /* SCAN_FIELDS values per entry: fstatat's errno (0 when it worked), dev, ino, mode, nlink,
   * uid, gid, rdev, size, atime sec, nsec, mtime sec, nsec, ctime sec, nsec, the xattr list
   * size (0 for none or ENOTSUP, -errno when listing failed), and atime, mtime, ctime in
   * nanoseconds (INT64_MIN when that does not fit: then from sec and nsec). */
  int64_t *stats;
  size_t count;
};

/*
 * Scans `path` (NUL-terminated, `path_len` bytes) into `out`. With `nofollow`, a final
 * symlink is not followed (ELOOP or ENOTDIR instead). Returns 0, or the errno of opening or
 * reading the directory (ENOMEM when out of memory); on failure `out` holds nothing to free.
 */
int dir_scan(const char *path, size_t path_len, int nofollow, struct dir_scan *out);

void dir_scan_free(struct dir_scan *s);

#endif
