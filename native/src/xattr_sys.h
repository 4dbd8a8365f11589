/*
 * The l*xattr calls (never following a symlink) on each platform: Linux's, macOS's with
 * XATTR_NOFOLLOW, and elsewhere ENOTSUP, the code of a file system without attributes.
 */
#ifndef LIFEBOAT_XATTR_SYS_H
#define LIFEBOAT_XATTR_SYS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#if defined(__linux__) || defined(__APPLE__)
#include <sys/xattr.h>
#define LB_HAVE_XATTR 1
#else
#define LB_HAVE_XATTR 0
#endif

#ifndef ENOTSUP
#define ENOTSUP EOPNOTSUPP
#endif

#if defined(__APPLE__)
static inline ssize_t sys_llistxattr(const char *p, char *buf, size_t size) { return listxattr(p, buf, size, XATTR_NOFOLLOW); }
static inline ssize_t sys_lgetxattr(const char *p, const char *n, void *buf, size_t size) { return getxattr(p, n, buf, size, 0, XATTR_NOFOLLOW); }
static inline int sys_lsetxattr(const char *p, const char *n, const void *v, size_t size) { return setxattr(p, n, v, size, 0, XATTR_NOFOLLOW); }
#elif LB_HAVE_XATTR
static inline ssize_t sys_llistxattr(const char *p, char *buf, size_t size) { return llistxattr(p, buf, size); }
static inline ssize_t sys_lgetxattr(const char *p, const char *n, void *buf, size_t size) { return lgetxattr(p, n, buf, size); }
static inline int sys_lsetxattr(const char *p, const char *n, const void *v, size_t size) { return lsetxattr(p, n, v, size, 0); }
#else
static inline ssize_t sys_llistxattr(const char *p, char *buf, size_t size) { (void)p; (void)buf; (void)size; errno = ENOTSUP; return -1; }
static inline ssize_t sys_lgetxattr(const char *p, const char *n, void *buf, size_t size) { (void)p; (void)n; (void)buf; (void)size; errno = ENOTSUP; return -1; }
static inline int sys_lsetxattr(const char *p, const char *n, const void *v, size_t size) { (void)p; (void)n; (void)v; (void)size; errno = ENOTSUP; return -1; }
#endif

static inline bool is_enotsup(int err) { return err == ENOTSUP || err == EOPNOTSUPP; }

#endif
