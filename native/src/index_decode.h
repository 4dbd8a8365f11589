/*
 * A restic index file's JSON (decrypted, decompressed) into columns, for the shape restic and
 * Lifeboat write: {"supersedes":[ID...],"packs":[{"id":ID,"blobs":[{"id":ID,"type":"data"|"tree",
 * "offset":N,"length":N,"uncompressed_length":N}...]}...]} with keys in any order and any JSON
 * whitespace. Anything else (escapes, unknown or repeated keys, nulls, numbers other than plain
 * digits up to 2^32-1, the old bare-array format, trailing bytes) is refused, and the caller
 * decodes the file with a general JSON parser instead. Plain C (no Node-API).
 */
#ifndef LIFEBOAT_INDEX_DECODE_H
#define LIFEBOAT_INDEX_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct index_columns {
  size_t packs, blobs, supersedes;
  uint8_t *pack_ids;       /* 32 bytes per pack */
  uint8_t *supersede_ids;  /* 32 bytes per ID; NULL-free even when empty */
  int has_supersedes;      /* the key was present (an empty list counts) */
  uint32_t *pack_of;       /* per blob: its pack's position in pack_ids */
  uint8_t *types;          /* 0 data, 1 tree */
  uint8_t *keys;           /* 32 bytes per blob */
  uint32_t *offsets, *lengths, *ulens; /* ulens 0 when absent */
};

/* 0 on success (free with index_columns_free), 1 when the shape is not handled, ENOMEM. */
int index_decode(const uint8_t *json, size_t len, struct index_columns *out);

void index_columns_free(struct index_columns *c);

#endif
