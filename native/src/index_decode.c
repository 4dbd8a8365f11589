#include "index_decode.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* The grammar mirrors src/repo/index-fast-decode.ts; a refusal longjmps out. */
struct scanner {
  const uint8_t *b;
  size_t len, pos;
  jmp_buf fail;
  int err; /* ENOMEM, or 1 for "not handled" */
  struct index_columns *c;
  size_t blob_cap, pack_cap, sup_cap;
  int have_packs;
};

static void refuse(struct scanner *s, int err) {
  s->err = err;
  longjmp(s->fail, 1);
}

static void ws(struct scanner *s) {
  while (s->pos < s->len) {
    uint8_t c = s->b[s->pos];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    s->pos++;
  }
}

static int take(struct scanner *s, uint8_t ch) {
  ws(s);
  if (s->pos < s->len && s->b[s->pos] == ch) {
    s->pos++;
    return 1;
  }
  return 0;
}

static void expect(struct scanner *s, uint8_t ch) {
  if (!take(s, ch)) refuse(s, 1);
}

enum { K_ID, K_TYPE, K_OFFSET, K_LENGTH, K_ULEN, K_BLOBS, K_PACKS, K_SUPERSEDES, K_COUNT };
static const char *const KEYS[K_COUNT] = {"id", "type", "offset", "length", "uncompressed_length", "blobs", "packs", "supersedes"};

/* The candidate key for a length and first letter: one comparison per key read. */
static int candidate(size_t n, uint8_t first) {
  switch (n) {
    case 2: return K_ID;
    case 4: return K_TYPE;
    case 6: return first == 'o' ? K_OFFSET : K_LENGTH;
    case 19: return K_ULEN;
    case 5: return first == 'b' ? K_BLOBS : K_PACKS;
    case 10: return K_SUPERSEDES;
    default: return -1;
  }
}

static int key(struct scanner *s) {
  expect(s, '"');
  const uint8_t *p = s->b + s->pos;
  const uint8_t *q = memchr(p, '"', s->len - s->pos);
  if (q == NULL) refuse(s, 1);
  size_t n = (size_t)(q - p);
  int k = n > 0 ? candidate(n, p[0]) : -1;
  if (k < 0 || memcmp(KEYS[k], p, n) != 0) refuse(s, 1);
  s->pos += n + 1;
  return k;
}

/* Hex digit values plus 0x10 (lower case only), 0 for anything else: one test per ID. */
static const uint8_t HEX[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15, ['6'] = 0x16, ['7'] = 0x17,
    ['8'] = 0x18, ['9'] = 0x19, ['a'] = 0x1a, ['b'] = 0x1b, ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f,
};

/* A quoted ID of 64 lower-case hex digits into 32 bytes. */
static void id_into(struct scanner *s, uint8_t *out) {
  expect(s, '"');
  if (s->len - s->pos < 65 || s->b[s->pos + 64] != '"') refuse(s, 1);
  const uint8_t *p = s->b + s->pos;
  unsigned ok = 0x10;
  for (int i = 0; i < 32; i++) {
    uint8_t hi = HEX[p[2 * i]], lo = HEX[p[2 * i + 1]];
    ok &= hi & lo;
    out[i] = (uint8_t)((hi & 0x0f) << 4 | (lo & 0x0f));
  }
  if (!ok) refuse(s, 1);
  s->pos += 65;
}

/* Plain digits (no sign, fraction, exponent or leading zero) of a value up to 2^32 - 1. */
static uint32_t u32(struct scanner *s) {
  ws(s);
  size_t from = s->pos;
  uint64_t n = 0;
  while (s->pos < s->len && s->b[s->pos] >= '0' && s->b[s->pos] <= '9') {
    n = n * 10 + (uint64_t)(s->b[s->pos] - '0');
    if (n > 0xffffffffu) refuse(s, 1);
    s->pos++;
  }
  size_t n_digits = s->pos - from;
  if (n_digits == 0 || (n_digits > 1 && s->b[from] == '0')) refuse(s, 1);
  if (s->pos < s->len && (s->b[s->pos] == '.' || s->b[s->pos] == 'e' || s->b[s->pos] == 'E')) refuse(s, 1);
  return (uint32_t)n;
}

static uint8_t type(struct scanner *s) {
  expect(s, '"');
  if (s->len - s->pos < 5 || s->b[s->pos + 4] != '"') refuse(s, 1);
  const uint8_t *p = s->b + s->pos;
  uint8_t t = memcmp(p, "data", 4) == 0 ? 0 : memcmp(p, "tree", 4) == 0 ? 1 : 2;
  if (t == 2) refuse(s, 1);
  s->pos += 5;
  return t;
}

static void *grow(struct scanner *s, void *p, size_t n, size_t size) {
  void *g = realloc(p, n * size);
  if (g == NULL) refuse(s, ENOMEM);
  return g;
}

static void room_for_blob(struct scanner *s) {
  struct index_columns *c = s->c;
  if (c->blobs < s->blob_cap) return;
  size_t cap = s->blob_cap * 2;
  c->pack_of = grow(s, c->pack_of, cap, sizeof *c->pack_of);
  c->types = grow(s, c->types, cap, 1);
  c->keys = grow(s, c->keys, cap, 32);
  c->offsets = grow(s, c->offsets, cap, sizeof *c->offsets);
  c->lengths = grow(s, c->lengths, cap, sizeof *c->lengths);
  c->ulens = grow(s, c->ulens, cap, sizeof *c->ulens);
  s->blob_cap = cap;
}

static void blob(struct scanner *s) {
  struct index_columns *c = s->c;
  room_for_blob(s);
  size_t e = c->blobs;
  unsigned seen = 0;
  c->ulens[e] = 0;
  expect(s, '{');
  do {
    int k = key(s);
    expect(s, ':');
    if (k > K_ULEN || (seen & (1u << k))) refuse(s, 1);
    seen |= 1u << k;
    switch (k) {
      case K_ID: id_into(s, c->keys + e * 32); break;
      case K_TYPE: c->types[e] = type(s); break;
      case K_OFFSET: c->offsets[e] = u32(s); break;
      case K_LENGTH: c->lengths[e] = u32(s); break;
      default: c->ulens[e] = u32(s); break;
    }
  } while (take(s, ','));
  expect(s, '}');
  if ((seen & 15u) != 15u) refuse(s, 1);
  c->blobs++;
}

static void list(struct scanner *s, void (*item)(struct scanner *)) {
  expect(s, '[');
  if (take(s, ']')) return;
  do item(s);
  while (take(s, ','));
  expect(s, ']');
}

static void pack(struct scanner *s) {
  struct index_columns *c = s->c;
  size_t first = c->blobs;
  uint8_t id[32];
  int have_id = 0, have_blobs = 0;
  expect(s, '{');
  do {
    int k = key(s);
    expect(s, ':');
    if (k == K_ID && !have_id) {
      id_into(s, id);
      have_id = 1;
    } else if (k == K_BLOBS && !have_blobs) {
      list(s, blob);
      have_blobs = 1;
    } else refuse(s, 1);
  } while (take(s, ','));
  expect(s, '}');
  if (!have_id || !have_blobs) refuse(s, 1);
  if (c->packs == s->pack_cap) {
    s->pack_cap *= 2;
    c->pack_ids = grow(s, c->pack_ids, s->pack_cap, 32);
  }
  memcpy(c->pack_ids + c->packs * 32, id, 32);
  for (size_t e = first; e < c->blobs; e++) c->pack_of[e] = (uint32_t)c->packs;
  c->packs++;
}

static void supersede(struct scanner *s) {
  struct index_columns *c = s->c;
  if (c->supersedes == s->sup_cap) {
    s->sup_cap *= 2;
    c->supersede_ids = grow(s, c->supersede_ids, s->sup_cap, 32);
  }
  id_into(s, c->supersede_ids + c->supersedes * 32);
  c->supersedes++;
}

int index_decode(const uint8_t *json, size_t len, struct index_columns *out) {
  /* On the heap: what changes between setjmp and longjmp must not be a local variable. */
  struct scanner *const s = calloc(1, sizeof *s);
  struct index_columns *const c = calloc(1, sizeof *c);
  if (s == NULL || c == NULL) {
    free(s);
    free(c);
    return ENOMEM;
  }
  s->b = json;
  s->len = len;
  s->c = c;
  /* restic writes about 130 bytes a blob: room for all of them, grown if not. */
  s->blob_cap = len / 100 + 16;
  s->pack_cap = 16;
  s->sup_cap = 4;
  c->pack_of = malloc(s->blob_cap * sizeof *c->pack_of);
  c->types = malloc(s->blob_cap);
  c->keys = malloc(s->blob_cap * 32);
  c->offsets = malloc(s->blob_cap * sizeof *c->offsets);
  c->lengths = malloc(s->blob_cap * sizeof *c->lengths);
  c->ulens = malloc(s->blob_cap * sizeof *c->ulens);
  c->pack_ids = malloc(s->pack_cap * 32);
  c->supersede_ids = malloc(s->sup_cap * 32);
  if (setjmp(s->fail) != 0) {
    int err = s->err;
    index_columns_free(c);
    free(c);
    free(s);
    return err;
  }
  if (!c->pack_of || !c->types || !c->keys || !c->offsets || !c->lengths || !c->ulens || !c->pack_ids || !c->supersede_ids) refuse(s, ENOMEM);
  expect(s, '{');
  if (!take(s, '}')) {
    do {
      int k = key(s);
      expect(s, ':');
      if (k == K_PACKS && !s->have_packs) {
        list(s, pack);
        s->have_packs = 1;
      } else if (k == K_SUPERSEDES && !c->has_supersedes) {
        list(s, supersede);
        c->has_supersedes = 1;
      } else refuse(s, 1);
    } while (take(s, ','));
    expect(s, '}');
  }
  ws(s);
  if (s->pos != s->len || !s->have_packs) refuse(s, 1);
  *out = *c;
  free(c);
  free(s);
  return 0;
}

void index_columns_free(struct index_columns *c) {
  free(c->pack_ids);
  free(c->supersede_ids);
  free(c->pack_of);
  free(c->types);
  free(c->keys);
  free(c->offsets);
  free(c->lengths);
  free(c->ulens);
  memset(c, 0, sizeof *c);
}
