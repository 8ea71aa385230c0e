/*
 * What the panel shows: the last accepted frame, the page (now playing / system / network, a
 * horizontal swipe moves between them), the selected session (a vertical swipe on the now
 * playing page) and progress that moves between frames.
 *
 * Progress: a frame's `pos` is the position at the server's `ts` (whole seconds). Between frames
 * the panel adds the time since the frame arrived, on its monotonic clock, while the session is
 * playing, and clamps to `dur`. Because `ts` is rounded down, the server's clock was already up
 * to a second past it when the frame left; the screen estimates that phase from the last frames
 * (each arrival bounds the server clock from below; the tightest bound of the window wins), so
 * the bar does not jump back by up to a second on every frame. Without a frame for
 * MQ_STALE_AFTER_MS the screen is stale and progress stops moving.
 */
#ifndef MQ_SCREEN_H
#define MQ_SCREEN_H

#include <stdbool.h>
#include <stdint.h>

#include "mq_frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  MQ_PAGE_NOW_PLAYING = 0,
  MQ_PAGE_SYSTEM,
  MQ_PAGE_NETWORK,
  MQ_PAGE_COUNT
} mq_page_t;

typedef enum { MQ_SWIPE_LEFT = 0, MQ_SWIPE_RIGHT, MQ_SWIPE_UP, MQ_SWIPE_DOWN } mq_swipe_t;

/** Frames whose arrival times bound the server clock (about 16 s at one frame per 2 s). */
#define MQ_CLOCK_SAMPLES 8u

typedef struct {
  int64_t ts;
  uint32_t rx;
} mq_clock_sample_t;

typedef struct {
  mq_frame_t frame;   /* on screen */
  mq_frame_t scratch; /* the next frame is parsed here, so a bad one never clobbers `frame` */
  bool has_frame;
  uint32_t frame_rx;  /* when `frame` arrived (monotonic ms) */
  uint32_t phase_ms;  /* estimated server time past `ts` at frame_rx */
  mq_clock_sample_t samples[MQ_CLOCK_SAMPLES];
  uint8_t sample_count;
  uint8_t sample_next;
  mq_page_t page;
  uint8_t selected;
  char selected_id[MQ_SESSION_ID_BYTES + 1];
  uint32_t frames_ok;
  uint32_t frames_rejected;
  uint32_t last_bytes;
  mq_status_t last_error;
  mq_parse_error_t last_error_at;
} mq_screen_t;

typedef struct {
  /** Position now, in milliseconds. */
  uint64_t pos_ms;
  uint32_t dur_s;
  /** Progress in permille (0..1000): position / duration, or the frame's `pct` without one. */
  uint16_t permille;
  /** True while the position advances (playing and not stale). */
  bool moving;
} mq_progress_t;

void mq_screen_init(mq_screen_t *screen);

/**
 * A frame arrived at `now`: parsed into the scratch frame and, when valid, shown (the selected
 * session is kept by id). A rejected frame leaves the screen as it was and is counted.
 */
mq_status_t mq_screen_on_message(mq_screen_t *screen, mq_json_arena_t *arena, const char *json,
                                 size_t len, uint32_t now);

/** Left: next page, right: previous (both wrap); up/down: next/previous session. True on a change. */
bool mq_screen_swipe(mq_screen_t *screen, mq_swipe_t swipe);

/** The selected session, or NULL when nothing is playing (or no frame yet). */
const mq_session_t *mq_screen_selected(const mq_screen_t *screen);

/** True once the last frame is older than MQ_STALE_AFTER_MS (or there is none). */
bool mq_screen_stale(const mq_screen_t *screen, uint32_t now);

/** Progress of `session` (one of the screen's frame) at `now`. */
mq_progress_t mq_screen_progress(const mq_screen_t *screen, const mq_session_t *session,
                                 uint32_t now);

/** The server's Unix time now (seconds), estimated; 0 without a frame. For the night dimming. */
int64_t mq_screen_server_time(const mq_screen_t *screen, uint32_t now);

/** "now playing", "system", "network". */
const char *mq_page_name(mq_page_t page);

#ifdef __cplusplus
}
#endif

#endif /* MQ_SCREEN_H */
