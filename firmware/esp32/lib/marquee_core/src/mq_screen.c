#include "mq_screen.h"

#include <string.h>

#include "mq_clock.h"

void mq_screen_init(mq_screen_t *screen) {
  memset(screen, 0, sizeof(*screen));
  screen->page = MQ_PAGE_NOW_PLAYING;
  screen->last_error = MQ_OK;
  screen->last_error_at.field = "";
  screen->last_error_at.session = -1;
}

/* Server time past `ts` when frame (ts, rx) arrived, from the window's lower bounds. */
static uint32_t estimate_phase(const mq_screen_t *screen, int64_t ts, uint32_t rx) {
  int64_t best = 0;
  for (uint8_t i = 0; i < screen->sample_count; i++) {
    const mq_clock_sample_t *s = &screen->samples[i];
    const int64_t bound = (s->ts - ts) * 1000 + (int64_t)(int32_t)(rx - s->rx);
    if (bound > best) best = bound;
  }
  /* `ts` is whole seconds, so more than a second past it means a clock step, not a phase. */
  return best > 1000 ? 1000u : (uint32_t)best;
}

static void remember(mq_screen_t *screen, int64_t ts, uint32_t rx) {
  screen->samples[screen->sample_next].ts = ts;
  screen->samples[screen->sample_next].rx = rx;
  screen->sample_next = (uint8_t)((screen->sample_next + 1u) % MQ_CLOCK_SAMPLES);
  if (screen->sample_count < MQ_CLOCK_SAMPLES) screen->sample_count++;
}

static void select_index(mq_screen_t *screen, uint8_t index) {
  screen->selected = index;
  if (index < screen->frame.count) {
    memcpy(screen->selected_id, screen->frame.sessions[index].id, sizeof(screen->selected_id));
  } else {
    screen->selected_id[0] = '\0';
  }
}

mq_status_t mq_screen_on_message(mq_screen_t *screen, mq_json_arena_t *arena, const char *json,
                                 size_t len, uint32_t now) {
  mq_parse_error_t where;
  const mq_status_t status = mq_frame_parse(&screen->scratch, arena, json, len, &where);
  if (status != MQ_OK) {
    screen->frames_rejected++;
    screen->last_error = status;
    screen->last_error_at = where;
    return status;
  }
  screen->frame = screen->scratch;
  screen->has_frame = true;
  screen->frame_rx = now;
  screen->frames_ok++;
  screen->last_bytes = (uint32_t)len;
  remember(screen, screen->frame.ts, now);
  screen->phase_ms = estimate_phase(screen, screen->frame.ts, now);
  const int found = mq_frame_find(&screen->frame, screen->selected_id);
  select_index(screen, found >= 0 ? (uint8_t)found : 0u);
  return MQ_OK;
}

bool mq_screen_swipe(mq_screen_t *screen, mq_swipe_t swipe) {
  const unsigned pages = (unsigned)MQ_PAGE_COUNT;
  switch (swipe) {
    case MQ_SWIPE_LEFT: screen->page = (mq_page_t)(((unsigned)screen->page + 1u) % pages); return true;
    case MQ_SWIPE_RIGHT:
      screen->page = (mq_page_t)(((unsigned)screen->page + pages - 1u) % pages);
      return true;
    case MQ_SWIPE_UP:
    case MQ_SWIPE_DOWN: {
      const uint8_t count = screen->has_frame ? screen->frame.count : 0u;
      if (screen->page != MQ_PAGE_NOW_PLAYING || count < 2u) return false;
      const uint8_t step = swipe == MQ_SWIPE_UP ? 1u : (uint8_t)(count - 1u);
      select_index(screen, (uint8_t)((screen->selected + step) % count));
      return true;
    }
  }
  return false;
}

const mq_session_t *mq_screen_selected(const mq_screen_t *screen) {
  if (!screen->has_frame || screen->selected >= screen->frame.count) return NULL;
  return &screen->frame.sessions[screen->selected];
}

bool mq_screen_stale(const mq_screen_t *screen, uint32_t now) {
  return !screen->has_frame || mq_elapsed(now, screen->frame_rx) > MQ_STALE_AFTER_MS;
}

/* Milliseconds of server time since the frame's `ts`, frozen once stale. */
static uint32_t since_ts(const mq_screen_t *screen, uint32_t now) {
  uint32_t elapsed = mq_elapsed(now, screen->frame_rx);
  if (elapsed > MQ_STALE_AFTER_MS) elapsed = MQ_STALE_AFTER_MS;
  return screen->phase_ms + elapsed;
}

mq_progress_t mq_screen_progress(const mq_screen_t *screen, const mq_session_t *session,
                                 uint32_t now) {
  mq_progress_t p;
  memset(&p, 0, sizeof(p));
  if (session == NULL) return p;
  p.dur_s = session->dur_s;
  p.pos_ms = (uint64_t)session->pos_s * 1000u;
  p.moving = session->state == MQ_STATE_PLAYING && !mq_screen_stale(screen, now);
  if (session->state == MQ_STATE_PLAYING && screen->has_frame) p.pos_ms += since_ts(screen, now);
  const uint64_t dur_ms = (uint64_t)session->dur_s * 1000u;
  if (dur_ms > 0) {
    if (p.pos_ms >= dur_ms) {
      p.pos_ms = dur_ms;
      p.moving = false;
    }
    p.permille = (uint16_t)(p.pos_ms * 1000u / dur_ms);
  } else {
    p.permille = session->pct_tenths;
  }
  return p;
}

int64_t mq_screen_server_time(const mq_screen_t *screen, uint32_t now) {
  if (!screen->has_frame) return 0;
  return screen->frame.ts + (int64_t)(screen->phase_ms + mq_elapsed(now, screen->frame_rx)) / 1000;
}

const char *mq_page_name(mq_page_t page) {
  switch (page) {
    case MQ_PAGE_NOW_PLAYING: return "now playing";
    case MQ_PAGE_SYSTEM: return "system";
    case MQ_PAGE_NETWORK: return "network";
    case MQ_PAGE_COUNT: break;
  }
  return "?";
}
