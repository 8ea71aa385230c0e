/*
 * cJSON with a fixed memory budget. The same cJSON runs on both sides: ESP-IDF's bundled copy on
 * the panel (arduino-esp32 ships it as "cJSON.h") and Debian's libcjson-dev (<cjson/cJSON.h>) in
 * the host tests. Every node and string of a parse comes from one static arena through
 * cJSON_InitHooks, so parsing never touches the heap (no fragmentation after weeks of frames) and
 * its memory is a number known at compile time. A document is refused before cJSON sees it when
 * it is over its byte budget or nested deeper than MQ_JSON_MAX_DEPTH (cJSON recurses once per
 * level; 500 levels of "[" would overflow an 8 KB task stack).
 *
 * The document is copied into the arena first and lone UTF-16 surrogate escapes in it ("\ud83d"
 * without its pair, which JavaScript's JSON.stringify writes for a title cut mid-emoji) are
 * rewritten to "\ufffd" in place: cJSON refuses them, and one odd title must not blank the panel.
 *
 * Not reentrant: cJSON's hooks are process-wide, so parse from one task only and do not use cJSON
 * elsewhere in the firmware while a parse runs (the panel's UI loop is the only user).
 */
#ifndef MQ_JSON_H
#define MQ_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marquee_limits.h"
#include "mq_status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/** An upper bound of sizeof(cJSON): 64 bytes with 64-bit pointers, 40 on the ESP32 (checked). */
#define MQ_JSON_NODE_BYTES ((sizeof(void *) > 4u) ? 64u : 40u)

/**
 * Arena size that holds any document of up to MQ_JSON_MAX_NODES values and MQ_HTTP_BODY_BYTES
 * bytes: the document's copy, the nodes, every string's bytes (never more than the document's),
 * and up to 7 bytes of alignment for each of at most two strings (key and value) per node.
 * 13 072 bytes on the ESP32, 16 912 on a 64-bit host.
 */
#define MQ_JSON_ARENA_BYTES                                                  \
  (MQ_JSON_MAX_NODES * MQ_JSON_NODE_BYTES + 2u * (MQ_HTTP_BODY_BYTES + 8u) + \
   MQ_JSON_MAX_NODES * 2u * 8u)

/** Storage for an arena, aligned for cJSON's doubles and pointers. Allocate it statically. */
typedef union {
  unsigned char bytes[MQ_JSON_ARENA_BYTES];
  double align_double;
  uint64_t align_u64;
  void *align_pointer;
} mq_json_storage_t;

typedef struct {
  unsigned char *base;
  size_t size;
  size_t used;
  /** The most any parse used so far, for the memory report. */
  size_t high_water;
  /** Set when the last parse ran out of arena. */
  bool exhausted;
} mq_json_arena_t;

/** Uses `size` bytes at `buffer` (8-byte aligned) for every parse. */
void mq_json_arena_init(mq_json_arena_t *arena, void *buffer, size_t size);

/**
 * Checks the nesting of `len` bytes of JSON without parsing it: true when no array or object is
 * deeper than `max_depth` and brackets outside strings balance.
 */
bool mq_json_depth_ok(const char *json, size_t len, unsigned max_depth);

/**
 * Rewrites, in `len` bytes of JSON text, every \uXXXX escape that is a lone UTF-16 surrogate to
 * \ufffd (same length). Returns how many it rewrote.
 */
size_t mq_json_repair_surrogates(char *json, size_t len);

/**
 * Parses `len` bytes (no NUL needed) of at most `budget` bytes into a tree whose memory is the
 * arena's; the tree is valid until the next parse with this arena. On MQ_OK `*root` is set.
 * Errors: MQ_ERR_EMPTY, MQ_ERR_TOO_LARGE (over budget), MQ_ERR_TOO_COMPLEX (too deep, or the
 * arena ran out), MQ_ERR_SYNTAX.
 */
mq_status_t mq_json_parse(mq_json_arena_t *arena, const char *json, size_t len, size_t budget,
                          struct cJSON **root);

#ifdef __cplusplus
}
#endif

#endif /* MQ_JSON_H */
