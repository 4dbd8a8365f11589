#include "scan_ahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct pending {
  size_t root;
  char *path;
  size_t path_len;
};

struct pending_list {
  struct pending *items;
  size_t len, cap;
};

struct scan_ahead {
  pthread_mutex_t mu;
  pthread_cond_t ready; /* an item was queued, or the thread is done */
  pthread_cond_t room;  /* an item was taken, or stop was asked */
  struct scan_item *head, *tail;
  size_t queued, max_queued;
  int done, stop;
  /* Skip hints from the walk, under mu. */
  struct pending_list pruned;
  /* The thread's own: roots and the depth-first stack (top = next in walk order). */
  char **roots;
  size_t *root_lens;
  size_t nroots;
  struct pending_list stack;
  pthread_t thread;
};

static int push(struct pending_list *l, size_t root, char *path, size_t path_len) {
  if (l->len == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    struct pending *grown = realloc(l->items, cap * sizeof *grown);
    if (grown == NULL) return ENOMEM;
    l->items = grown;
    l->cap = cap;
  }
  l->items[l->len++] = (struct pending){root, path, path_len};
  return 0;
}

static char *copy_path(const char *p, size_t len) {
  char *s = malloc(len + 1);
  if (s != NULL) {
    memcpy(s, p, len);
    s[len] = 0;
  }
  return s;
}

/* Walk order of two paths under one root: byte order with '/' below every other byte, which
 * is depth first with entries in byte order (a name never holds '/' or NUL). */
static int walk_order(const char *a, size_t alen, const char *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  for (size_t i = 0; i < n; i++) {
    unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
    if (x == y) continue;
    if (x == '/') return -1;
    if (y == '/') return 1;
    return x < y ? -1 : 1;
  }
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int is_under(const struct pending *p, const struct pending *dir) {
  return p->root == dir->root && p->path_len >= dir->path_len && memcmp(p->path, dir->path, dir->path_len) == 0 &&
         (p->path_len == dir->path_len || p->path[dir->path_len] == '/');
}

/* Whether the walk skips `p`; drops hints whose subtree the thread has left behind (the stack
 * holds only what comes after `p`). Called under mu. */
static int pruned(struct scan_ahead *sa, const struct pending *p) {
  int skip = 0;
  size_t kept = 0;
  for (size_t i = 0; i < sa->pruned.len; i++) {
    struct pending *x = &sa->pruned.items[i];
    if (is_under(p, x)) skip = 1;
    else if (p->root > x->root || (p->root == x->root && walk_order(p->path, p->path_len, x->path, x->path_len) > 0)) {
      free(x->path);
      continue;
    }
    sa->pruned.items[kept++] = *x;
  }
  sa->pruned.len = kept;
  return skip;
}

/* Subdirectories go on the stack last first, so the first is scanned next. A failed copy only
 * leaves that subtree to the walk's own scans. */
static void push_subdirs(struct scan_ahead *sa, const struct scan_item *item) {
  const struct dir_scan *s = &item->scan;
  size_t *starts = malloc((s->count ? s->count : 1) * sizeof *starts);
  if (starts == NULL) return;
  for (size_t i = 0, at = 0; i < s->count; i++) {
    starts[i] = at;
    at += strlen(s->names + at) + 1;
  }
  for (size_t i = s->count; i-- > 0;) {
    const int64_t *f = s->stats + i * SCAN_FIELDS;
    if (f[0] != 0 || !S_ISDIR((mode_t)f[3])) continue;
    const char *name = s->names + starts[i];
    size_t len = strlen(name), child_len = item->path_len + 1 + len;
    char *child = malloc(child_len + 1);
    if (child == NULL) continue;
    memcpy(child, item->path, item->path_len);
    child[item->path_len] = '/';
    memcpy(child + item->path_len + 1, name, len + 1);
    if (push(&sa->stack, item->root, child, child_len) != 0) free(child);
  }
  free(starts);
}

static void *run(void *arg) {
  struct scan_ahead *sa = arg;
  for (size_t r = 0; r < sa->nroots; r++) {
    char *root = copy_path(sa->roots[r], sa->root_lens[r]);
    if (root == NULL || push(&sa->stack, r, root, sa->root_lens[r]) != 0) {
      free(root);
      continue;
    }
    while (sa->stack.len > 0) {
      struct pending p = sa->stack.items[--sa->stack.len];
      pthread_mutex_lock(&sa->mu);
      while (!sa->stop && sa->queued >= sa->max_queued) pthread_cond_wait(&sa->room, &sa->mu);
      int stop = sa->stop, skip = !stop && pruned(sa, &p);
      pthread_mutex_unlock(&sa->mu);
      if (stop || skip) {
        free(p.path);
        if (stop) goto out;
        continue;
      }
      struct scan_item *item = calloc(1, sizeof *item);
      if (item == NULL) {
        free(p.path);
        continue;
      }
      item->root = p.root;
      item->path = p.path;
      item->path_len = p.path_len;
      item->err = dir_scan(p.path, p.path_len, 1, &item->scan);
      if (item->err == 0) push_subdirs(sa, item);
      pthread_mutex_lock(&sa->mu);
      if (sa->tail) sa->tail->next = item;
      else sa->head = item;
      sa->tail = item;
      sa->queued += item->scan.count + 1;
      pthread_cond_signal(&sa->ready);
      pthread_mutex_unlock(&sa->mu);
    }
  }
out:
  while (sa->stack.len > 0) free(sa->stack.items[--sa->stack.len].path);
  pthread_mutex_lock(&sa->mu);
  sa->done = 1;
  pthread_cond_broadcast(&sa->ready);
  pthread_mutex_unlock(&sa->mu);
  return NULL;
}

static void free_roots(struct scan_ahead *sa) {
  for (size_t i = 0; i < sa->nroots; i++) free(sa->roots[i]);
  free(sa->roots);
  free(sa->root_lens);
}

struct scan_ahead *scan_ahead_start(const char *const *roots, const size_t *root_lens, size_t nroots, size_t max_queued) {
  struct scan_ahead *sa = calloc(1, sizeof *sa);
  if (sa == NULL) return NULL;
  sa->max_queued = max_queued ? max_queued : 1;
  sa->roots = calloc(nroots ? nroots : 1, sizeof *sa->roots);
  sa->root_lens = calloc(nroots ? nroots : 1, sizeof *sa->root_lens);
  if (sa->roots == NULL || sa->root_lens == NULL) goto fail;
  for (; sa->nroots < nroots; sa->nroots++) {
    if ((sa->roots[sa->nroots] = copy_path(roots[sa->nroots], root_lens[sa->nroots])) == NULL) goto fail;
    sa->root_lens[sa->nroots] = root_lens[sa->nroots];
  }
  pthread_mutex_init(&sa->mu, NULL);
  pthread_cond_init(&sa->ready, NULL);
  pthread_cond_init(&sa->room, NULL);
  int err = pthread_create(&sa->thread, NULL, run, sa);
  if (err != 0) {
    pthread_cond_destroy(&sa->room);
    pthread_cond_destroy(&sa->ready);
    pthread_mutex_destroy(&sa->mu);
    free_roots(sa);
    free(sa);
    errno = err;
    return NULL;
  }
  return sa;
fail:
  free_roots(sa);
  free(sa);
  errno = ENOMEM;
  return NULL;
}

/* The root `path` is under, or nroots when none. */
static size_t root_of(const struct scan_ahead *sa, const char *path, size_t path_len) {
  struct pending p = {0, (char *)path, path_len};
  for (size_t r = 0; r < sa->nroots; r++) {
    struct pending root = {r, sa->roots[r], sa->root_lens[r]};
    p.root = r;
    if (is_under(&p, &root)) return r;
  }
  return sa->nroots;
}

struct scan_item *scan_ahead_take(struct scan_ahead *sa, const char *path, size_t path_len) {
  size_t root = root_of(sa, path, path_len);
  if (root == sa->nroots) return NULL;
  struct scan_item *found = NULL;
  pthread_mutex_lock(&sa->mu);
  for (;;) {
    while (sa->head == NULL && !sa->done) pthread_cond_wait(&sa->ready, &sa->mu);
    struct scan_item *item = sa->head;
    if (item == NULL) break;
    int order = item->root != root ? (item->root < root ? -1 : 1) : walk_order(item->path, item->path_len, path, path_len);
    if (order > 0) break; /* the thread never scanned `path`: the walk scans it itself */
    sa->head = item->next;
    if (sa->head == NULL) sa->tail = NULL;
    sa->queued -= item->scan.count + 1;
    item->next = NULL;
    pthread_cond_signal(&sa->room);
    if (order == 0) {
      found = item;
      break;
    }
    scan_item_free(item); /* a directory the walk skipped */
  }
  pthread_mutex_unlock(&sa->mu);
  return found;
}

void scan_ahead_skip(struct scan_ahead *sa, const char *path, size_t path_len) {
  size_t root = root_of(sa, path, path_len);
  char *copy = root == sa->nroots ? NULL : copy_path(path, path_len);
  if (copy == NULL) return;
  pthread_mutex_lock(&sa->mu);
  if (push(&sa->pruned, root, copy, path_len) != 0) free(copy);
  pthread_mutex_unlock(&sa->mu);
}

void scan_ahead_close(struct scan_ahead *sa) {
  pthread_mutex_lock(&sa->mu);
  sa->stop = 1;
  pthread_cond_signal(&sa->room);
  pthread_mutex_unlock(&sa->mu);
  pthread_join(sa->thread, NULL);
  for (struct scan_item *i = sa->head, *next; i != NULL; i = next) {
    next = i->next;
    scan_item_free(i);
  }
  for (size_t i = 0; i < sa->pruned.len; i++) free(sa->pruned.items[i].path);
  free(sa->pruned.items);
  free(sa->stack.items);
  free_roots(sa);
  pthread_cond_destroy(&sa->room);
  pthread_cond_destroy(&sa->ready);
  pthread_mutex_destroy(&sa->mu);
  free(sa);
}

void scan_item_free(struct scan_item *item) {
  if (item == NULL) return;
  dir_scan_free(&item->scan);
  free(item->path);
  free(item);
}
