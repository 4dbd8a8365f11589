/*
 * Scans directory trees on a thread of its own, ahead of a walk that visits their directories
 * in the same order (depth first, entries in byte order), so that the walk finds each scan
 * done: the lstat and xattr calls leave the walking thread. Plain C (no Node-API).
 */
#ifndef LIFEBOAT_SCAN_AHEAD_H
#define LIFEBOAT_SCAN_AHEAD_H

#include <stddef.h>

#include "dir_scan.h"

struct scan_ahead;

/* One scanned directory, handed over in walk order. */
struct scan_item {
  struct scan_item *next;
  /* Which root it is under (an index into the roots given to scan_ahead_start). */
  size_t root;
  char *path;
  size_t path_len;
  /* 0, or the errno of opening or reading the directory (then `scan` is empty). */
  int err;
  struct dir_scan scan;
};

/*
 * Starts scanning `nroots` roots (absolute paths, in the order the walk visits them), each
 * depth first with subdirectories in byte order, never following a symlink. At most
 * `max_queued` entries (plus one per directory) wait to be taken; then the thread pauses.
 * Returns NULL with errno set when the thread cannot be started.
 */
struct scan_ahead *scan_ahead_start(const char *const *roots, const size_t *root_lens, size_t nroots, size_t max_queued);

/*
 * The scan of directory `path`, waiting for the thread to get there; NULL when it never will
 * (not under a root, not a directory when the thread looked, or past already), and then the
 * walk scans it itself. Scans queued before `path` are dropped: the walk skipped them.
 */
struct scan_item *scan_ahead_take(struct scan_ahead *sa, const char *path, size_t path_len);

/* Tells the thread that the walk will not enter `path`: it skips what of that subtree it has
 * not scanned yet. A hint only: what was scanned already is dropped by the next take. */
void scan_ahead_skip(struct scan_ahead *sa, const char *path, size_t path_len);

/* Stops the thread (after the directory it is scanning) and frees everything. */
void scan_ahead_close(struct scan_ahead *sa);

void scan_item_free(struct scan_item *item);

#endif
