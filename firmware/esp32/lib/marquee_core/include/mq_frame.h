/*
 * The compact Now Playing frame (`WS /api/dashboard/ws?profile=compact`, see
 * docs/now-playing-profiles.md) in fixed-size structs. The compact profile is what the panel
 * subscribes to: the server guarantees it fits MQ_JSON_BUDGET_BYTES. The full seed snapshot is
 * not accepted (four sessions take ~2.4 KB); a small one is recognised and reported as
 * MQ_ERR_WRONG_PROFILE so a misconfigured URL says what is wrong on screen.
 *
 * Memory: one mq_frame_t is 4 x 536 + 48 bytes (about 2.2 KB); the parser's arena is
 * MQ_JSON_ARENA_BYTES. Nothing is allocated on the heap.
 */
#ifndef MQ_FRAME_H
#define MQ_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marquee_limits.h"
#include "mq_json.h"
#include "mq_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  /** A state this firmware does not know (a newer server); shown as "?" and not interpolated. */
  MQ_STATE_UNKNOWN = 0,
  MQ_STATE_PLAYING,
  MQ_STATE_PAUSED,
  MQ_STATE_STOPPED,
  MQ_STATE_BUFFERING
} mq_state_t;

/** mq_session_t.flags */
enum {
  /** The id did not fit MQ_SESSION_ID_BYTES: shown, but the panel cannot address it. */
  MQ_SESSION_ID_TOO_LONG = 1u << 0,
  /** The title (or user) was cut on the panel (the server cuts too, before sending). */
  MQ_SESSION_TEXT_CUT = 1u << 1,
  /** `thumb` did not fit MQ_THUMB_PATH_BYTES and was dropped. */
  MQ_SESSION_THUMB_DROPPED = 1u << 2
};

typedef struct {
  char id[MQ_SESSION_ID_BYTES + 1];
  char title[MQ_TITLE_BYTES + 1];
  char user[MQ_USER_BYTES + 1];
  /** Server path of the poster thumbnail (baseline JPEG); "" when none. */
  char thumb[MQ_THUMB_PATH_BYTES + 1];
  /** Position in whole seconds at the frame's `ts`. */
  uint32_t pos_s;
  /** Length in whole seconds; 0 when unknown. */
  uint32_t dur_s;
  /** Progress at `ts` in tenths of a percent (0..1000). */
  uint16_t pct_tenths;
  uint8_t state; /* mq_state_t */
  uint8_t flags;
} mq_session_t;

typedef struct {
  uint16_t cpu_tenths;
  uint16_t ram_tenths;
  uint16_t disk_tenths;
  /** Degrees Celsius in tenths; meaningful when has_temp. */
  int16_t temp_tenths;
  bool has_temp;
  /** Bits per second. */
  uint64_t down_bps;
  uint64_t up_bps;
} mq_system_t;

typedef struct {
  mq_session_t sessions[MQ_MAX_SESSIONS];
  uint8_t count;
  /** Sessions not in `sessions`: the server's `more` plus any beyond MQ_MAX_SESSIONS. */
  uint32_t more;
  mq_system_t system;
  /** Unix seconds when the server took the snapshot. */
  int64_t ts;
} mq_frame_t;

/** Where parsing failed, for logs: the key (or "$" for the document) and the session index. */
typedef struct {
  const char *field;
  int session; /* -1 outside sessions */
} mq_parse_error_t;

/**
 * Parses one compact frame of `len` bytes. Unknown keys are ignored; texts are copied as
 * well-formed UTF-8, cut between characters to their buffers; sessions beyond MQ_MAX_SESSIONS are
 * counted in `more`. Oversize (> MQ_JSON_BUDGET_BYTES), malformed or out-of-range input returns
 * an error and leaves `*out` unspecified (parse into a scratch frame, keep the last good one).
 * `error` may be NULL.
 */
mq_status_t mq_frame_parse(mq_frame_t *out, mq_json_arena_t *arena, const char *json, size_t len,
                           mq_parse_error_t *error);

/** "playing", "paused", "stopped", "buffering" or "?". */
const char *mq_state_name(mq_state_t state);

/** The state named `name` (`len` bytes); MQ_STATE_UNKNOWN for anything else. */
mq_state_t mq_state_from_name(const char *name, size_t len);

/** Index of the session with id `id` in `frame`, or -1. */
int mq_frame_find(const mq_frame_t *frame, const char *id);

#ifdef __cplusplus
}
#endif

#endif /* MQ_FRAME_H */
