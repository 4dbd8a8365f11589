#include "dir_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "xattr_sys.h"

#if defined(__APPLE__)
#define LB_ATIM(st) ((st).st_atimespec)
#define LB_MTIM(st) ((st).st_mtimespec)
#define LB_CTIM(st) ((st).st_ctimespec)
#else
#define LB_ATIM(st) ((st).st_atim)
#define LB_MTIM(st) ((st).st_mtim)
#define LB_CTIM(st) ((st).st_ctim)
#endif

/* sec * 1e9 + nsec, or INT64_MIN when it does not fit in 64 bits. */
static int64_t time_ns(int64_t sec, int64_t nsec) {
  int64_t ns;
  if (__builtin_mul_overflow(sec, (int64_t)1000000000, &ns) || __builtin_add_overflow(ns, nsec, &ns)) return INT64_MIN;
  return ns;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static DIR *open_dir(const char *path, int nofollow) {
  if (!nofollow) return opendir(path);
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return NULL;
  DIR *d = fdopendir(fd);
  if (d == NULL) {
    int err = errno;
    close(fd);
    errno = err;
  }
  return d;
}

/* The entries' names, unsorted, NUL-separated. */
static int read_names(DIR *d, char **names, size_t *names_len, size_t *count) {
  size_t cap = 0;
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (e == NULL) return errno;
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0))) continue;
    size_t len = strlen(e->d_name) + 1;
    if (*names_len + len > cap) {
      size_t grown_cap = cap ? cap * 2 : 4096;
      while (grown_cap < *names_len + len) grown_cap *= 2;
      char *grown = realloc(*names, grown_cap);
      if (grown == NULL) return ENOMEM;
      *names = grown;
      cap = grown_cap;
    }
    memcpy(*names + *names_len, e->d_name, len);
    *names_len += len;
    (*count)++;
  }
}

/* In byte order, as Node's readdir (libuv's scandir) gives them: the walk visits entries in
 * this order, and what it meets first is read first. */
static int sort_names(const char *names, size_t names_len, size_t count, char **sorted) {
  const char **order = malloc((count ? count : 1) * sizeof *order);
  *sorted = malloc(names_len ? names_len : 1);
  if (order == NULL || *sorted == NULL) {
    free(order);
    free(*sorted);
    *sorted = NULL;
    return ENOMEM;
  }
  for (size_t i = 0, at = 0; i < count; i++) {
    order[i] = names + at;
    at += strlen(names + at) + 1;
  }
  qsort(order, count, sizeof *order, compare_names);
  for (size_t i = 0, at = 0; i < count; i++) {
    size_t len = strlen(order[i]) + 1;
    memcpy(*sorted + at, order[i], len);
    at += len;
  }
  free(order);
  return 0;
}

/* Each entry's lstat relative to the open directory, and its xattr list size by path (there
 * is no llistxattrat). */
static int stat_entries(DIR *d, const char *path, size_t path_len, struct dir_scan *s) {
  char *child = NULL;
  size_t child_cap = 0;
  int dfd = dirfd(d);
  size_t at = 0;
  for (size_t i = 0; i < s->count; i++) {
    const char *name = s->names + at;
    size_t len = strlen(name);
    at += len + 1;
    int64_t *f = s->stats + i * SCAN_FIELDS;
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      f[0] = errno ? errno : EIO;
      continue;
    }
    f[1] = (int64_t)st.st_dev;
    f[2] = (int64_t)st.st_ino;
    f[3] = (int64_t)st.st_mode;
    f[4] = (int64_t)st.st_nlink;
    f[5] = (int64_t)st.st_uid;
    f[6] = (int64_t)st.st_gid;
    f[7] = (int64_t)st.st_rdev;
    f[8] = (int64_t)st.st_size;
    f[9] = (int64_t)LB_ATIM(st).tv_sec;
    f[10] = (int64_t)LB_ATIM(st).tv_nsec;
    f[11] = (int64_t)LB_MTIM(st).tv_sec;
    f[12] = (int64_t)LB_MTIM(st).tv_nsec;
    f[13] = (int64_t)LB_CTIM(st).tv_sec;
    f[14] = (int64_t)LB_CTIM(st).tv_nsec;
    /* One value per time for JavaScript, where each is a BigInt: sec * 1e9 + nsec there costs
     * four of them. */
    f[16] = time_ns(f[9], f[10]);
    f[17] = time_ns(f[11], f[12]);
    f[18] = time_ns(f[13], f[14]);
#if LB_HAVE_XATTR
    if (path_len + len + 2 > child_cap) {
      size_t cap = path_len + len + 2 + 256;
      char *grown = realloc(child, cap);
      if (grown == NULL) {
        free(child);
        return ENOMEM;
      }
      child = grown;
      child_cap = cap;
    }
    memcpy(child, path, path_len);
    child[path_len] = '/';
    memcpy(child + path_len + 1, name, len + 1);
    ssize_t n = sys_llistxattr(child, NULL, 0);
    f[15] = n >= 0 ? (int64_t)n : is_enotsup(errno) ? 0 : -(int64_t)errno;
#else
    (void)path;
    (void)path_len;
#endif
  }
  free(child);
  return 0;
}

int dir_scan(const char *path, size_t path_len, int nofollow, struct dir_scan *out) {
  char *names = NULL;
  size_t names_len = 0, count = 0;
  struct dir_scan s = {0};
  DIR *d = open_dir(path, nofollow);
  if (d == NULL) return errno ? errno : EIO;
  int err = read_names(d, &names, &names_len, &count);
  if (err == 0) err = sort_names(names, names_len, count, &s.names);
  free(names);
  if (err == 0) {
    s.names_len = names_len;
    s.count = count;
    s.stats = calloc(count ? count * SCAN_FIELDS : 1, sizeof *s.stats);
    err = s.stats == NULL ? ENOMEM : stat_entries(d, path, path_len, &s);
  }
  closedir(d);
  if (err != 0) {
    dir_scan_free(&s);
    return err;
  }
  *out = s;
  return 0;
}

void dir_scan_free(struct dir_scan *s) {
  free(s->names);
  free(s->stats);
  s->names = NULL;
  s->stats = NULL;
  s->names_len = s->count = 0;
}
