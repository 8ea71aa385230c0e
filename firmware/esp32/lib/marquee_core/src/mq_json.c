#include "mq_json.h"

#include <string.h>

#include "mq_cjson.h"

_Static_assert(sizeof(cJSON) <= 64u, "cJSON node larger than MQ_JSON_NODE_BYTES");
_Static_assert(sizeof(void *) > 4u || sizeof(cJSON) <= 40u,
               "cJSON node larger than MQ_JSON_NODE_BYTES on a 32-bit target");

#define ALIGNMENT 8u

/* cJSON's hooks take no context, so the arena of the parse in progress is a file static. */
static mq_json_arena_t *s_active;

static void *arena_allocate(size_t size) {
  mq_json_arena_t *arena = s_active;
  if (arena == NULL) return NULL;
  const size_t rounded = (size + (ALIGNMENT - 1u)) & ~(size_t)(ALIGNMENT - 1u);
  if (rounded < size || rounded > arena->size - arena->used) {
    arena->exhausted = true;
    return NULL;
  }
  void *block = arena->base + arena->used;
  arena->used += rounded;
  if (arena->used > arena->high_water) arena->high_water = arena->used;
  return block;
}

/* Blocks are given back all at once when the next parse resets the arena. */
static void arena_deallocate(void *block) { (void)block; }

void mq_json_arena_init(mq_json_arena_t *arena, void *buffer, size_t size) {
  arena->base = (unsigned char *)buffer;
  arena->size = buffer == NULL ? 0 : size;
  arena->used = 0;
  arena->high_water = 0;
  arena->exhausted = false;
}

typedef enum { DEPTH_OK, DEPTH_TOO_DEEP, DEPTH_UNBALANCED } depth_result_t;

/* Bracket nesting outside strings, without parsing. */
static depth_result_t scan_depth(const char *json, size_t len, unsigned max_depth) {
  unsigned depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < len; i++) {
    const char c = json[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return DEPTH_TOO_DEEP;
        break;
      case ']':
      case '}':
        if (depth == 0) return DEPTH_UNBALANCED;
        depth--;
        break;
      default: break;
    }
  }
  return depth == 0 && !in_string ? DEPTH_OK : DEPTH_UNBALANCED;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The UTF-16 code unit of the backslash-u escape starting at json[i], or -1 when it is none. */
static long escape_unit(const char *json, size_t len, size_t i) {
  if (i + 6u > len || json[i] != '\\' || json[i + 1u] != 'u') return -1;
  long unit = 0;
  for (size_t k = 2; k < 6; k++) {
    const int digit = hex_value(json[i + k]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

size_t mq_json_repair_surrogates(char *json, size_t len) {
  size_t repaired = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    const char c = json[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      continue;
    }
    if (c == '"') {
      in_string = false;
    } else if (c == '\\') {
      const long unit = escape_unit(json, len, i);
      if (unit < 0) {
        i++; /* a two-character escape (backslash-n, ...): skip the escaped character */
        continue;
      }
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        const long next = escape_unit(json, len, i + 6u);
        if (next >= 0xDC00 && next <= 0xDFFF) {
          i += 11u; /* a proper pair */
          continue;
        }
      }
      if (unit >= 0xD800 && unit <= 0xDFFF) {
        memcpy(json + i + 2u, "fffd", 4);
        repaired++;
      }
      i += 5u;
    }
  }
  return repaired;
}

bool mq_json_depth_ok(const char *json, size_t len, unsigned max_depth) {
  return json != NULL && scan_depth(json, len, max_depth) == DEPTH_OK;
}

mq_status_t mq_json_parse(mq_json_arena_t *arena, const char *json, size_t len, size_t budget,
                          struct cJSON **root) {
  if (root != NULL) *root = NULL;
  if (arena == NULL || root == NULL || arena->base == NULL) return MQ_ERR_ARGUMENT;
  arena->used = 0; /* the previous tree is gone, whatever happens next */
  arena->exhausted = false;
  if (json == NULL || len == 0) return MQ_ERR_EMPTY;
  if (len > budget) return MQ_ERR_TOO_LARGE;
  switch (scan_depth(json, len, MQ_JSON_MAX_DEPTH)) {
    case DEPTH_OK: break;
    case DEPTH_TOO_DEEP: return MQ_ERR_TOO_COMPLEX; /* protects the stack, see the header */
    case DEPTH_UNBALANCED: return MQ_ERR_SYNTAX;
  }

  s_active = arena;
  char *copy = (char *)arena_allocate(len + 1u);
  if (copy == NULL) {
    s_active = NULL;
    return MQ_ERR_TOO_COMPLEX;
  }
  memcpy(copy, json, len);
  copy[len] = '\0';
  mq_json_repair_surrogates(copy, len);

  cJSON_Hooks hooks;
  hooks.malloc_fn = arena_allocate;
  hooks.free_fn = arena_deallocate;
  cJSON_InitHooks(&hooks);
  /* A NUL inside the document ends it early; anything but whitespace after the value fails. */
  cJSON *tree = cJSON_ParseWithLengthOpts(copy, len + 1u, NULL, 1);
  cJSON_InitHooks(NULL); /* back to malloc/free for anyone else */
  s_active = NULL;

  if (tree == NULL) return arena->exhausted ? MQ_ERR_TOO_COMPLEX : MQ_ERR_SYNTAX;
  *root = tree;
  return MQ_OK;
}
