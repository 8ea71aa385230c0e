#include "check.hpp"
#include "support.hpp"

using support::frame_json;
using support::session_json;

namespace {

struct Screen {
  support::Arena arena;
  mq_screen_t screen;
  Screen() { mq_screen_init(&screen); }
  mq_status_t receive(const std::string &json, uint32_t now) {
    support::Exact exact(json);
    return mq_screen_on_message(&screen, arena.get(), exact.data, exact.len, now);
  }
};

std::string frame_at(long ts, const std::string &sessions) {
  std::string json = frame_json(sessions);
  const std::string key = "\"ts\":1768670000";
  json.replace(json.find(key), key.size(), "\"ts\":" + std::to_string(ts));
  return json;
}

}  // namespace

TEST(screen, swipes_between_the_three_pages_and_wraps) {
  Screen s;
  CHECK_EQ(s.screen.page, MQ_PAGE_NOW_PLAYING);
  CHECK(mq_screen_swipe(&s.screen, MQ_SWIPE_LEFT));
  CHECK_EQ(s.screen.page, MQ_PAGE_SYSTEM);
  mq_screen_swipe(&s.screen, MQ_SWIPE_LEFT);
  CHECK_EQ(s.screen.page, MQ_PAGE_NETWORK);
  mq_screen_swipe(&s.screen, MQ_SWIPE_LEFT);
  CHECK_EQ(s.screen.page, MQ_PAGE_NOW_PLAYING);
  mq_screen_swipe(&s.screen, MQ_SWIPE_RIGHT);
  CHECK_EQ(s.screen.page, MQ_PAGE_NETWORK);
  mq_screen_swipe(&s.screen, MQ_SWIPE_RIGHT);
  CHECK_EQ(s.screen.page, MQ_PAGE_SYSTEM);
  CHECK_STR(mq_page_name(s.screen.page), "system");
  // Vertical swipes only change the session on the now playing page.
  CHECK(!mq_screen_swipe(&s.screen, MQ_SWIPE_UP));
}

TEST(screen, keeps_the_selected_session_by_id_across_frames) {
  Screen s;
  CHECK_EQ(s.receive(frame_json(session_json("a", "A") + "," + session_json("b", "B") + "," +
                                session_json("c", "C")),
                     0),
           MQ_OK);
  CHECK_STR(mq_screen_selected(&s.screen)->id, "a");
  CHECK(mq_screen_swipe(&s.screen, MQ_SWIPE_UP));
  CHECK_STR(mq_screen_selected(&s.screen)->id, "b");
  CHECK(mq_screen_swipe(&s.screen, MQ_SWIPE_DOWN));
  CHECK(mq_screen_swipe(&s.screen, MQ_SWIPE_DOWN));
  CHECK_STR(mq_screen_selected(&s.screen)->id, "c");
  // "c" moves to the front: still selected.
  s.receive(frame_json(session_json("c", "C") + "," + session_json("a", "A")), 2000);
  CHECK_STR(mq_screen_selected(&s.screen)->id, "c");
  CHECK_EQ(s.screen.selected, 0u);
  // "c" ends: the first session is selected.
  s.receive(frame_json(session_json("a", "A")), 4000);
  CHECK_STR(mq_screen_selected(&s.screen)->id, "a");
  s.receive(frame_json(""), 6000);
  CHECK(mq_screen_selected(&s.screen) == nullptr);
}

TEST(screen, a_rejected_frame_leaves_the_last_good_one_on_screen) {
  Screen s;
  s.receive(frame_json(session_json("a", "Alien")), 0);
  CHECK_EQ(s.receive("{\"sessions\":[", 2000), MQ_ERR_SYNTAX);
  CHECK_EQ(s.receive(std::string(2000, ' '), 2500), MQ_ERR_TOO_LARGE);
  CHECK_STR(mq_screen_selected(&s.screen)->title, "Alien");
  CHECK_EQ(s.screen.frames_ok, 1u);
  CHECK_EQ(s.screen.frames_rejected, 2u);
  CHECK_EQ(s.screen.last_error, MQ_ERR_TOO_LARGE);
  CHECK_EQ(s.screen.frame_rx, 0u);
}

TEST(screen, interpolates_progress_while_playing_and_clamps_to_the_duration) {
  Screen s;
  s.receive(frame_at(1000, session_json("a", "A", "playing", 100, 200)), 50000);
  const mq_session_t *a = mq_screen_selected(&s.screen);
  mq_progress_t p = mq_screen_progress(&s.screen, a, 50000);
  CHECK_EQ(p.pos_ms, 100000u);
  CHECK_EQ(p.permille, 500u);
  CHECK(p.moving);
  p = mq_screen_progress(&s.screen, a, 51500);
  CHECK_EQ(p.pos_ms, 101500u);
  CHECK_EQ(p.permille, 507u);
  // Near the end: clamped to dur, no longer moving.
  s.receive(frame_at(1099, session_json("a", "A", "playing", 199, 200)), 149000);
  a = mq_screen_selected(&s.screen);
  p = mq_screen_progress(&s.screen, a, 152000);
  CHECK_EQ(p.pos_ms, 200000u);
  CHECK_EQ(p.permille, 1000u);
  CHECK(!p.moving);
}

TEST(screen, does_not_move_paused_or_unknown_duration_sessions_past_their_values) {
  Screen s;
  s.receive(frame_json(session_json("a", "A", "paused", 100, 200) + "," +
                       session_json("b", "B", "buffering", 7, 0)),
            0);
  const mq_progress_t paused = mq_screen_progress(&s.screen, &s.screen.frame.sessions[0], 5000);
  CHECK_EQ(paused.pos_ms, 100000u);
  CHECK(!paused.moving);
  const mq_progress_t buffering = mq_screen_progress(&s.screen, &s.screen.frame.sessions[1], 5000);
  CHECK_EQ(buffering.pos_ms, 7000u);
  CHECK_EQ(buffering.permille, 100u);  // the frame's pct (10 %) without a duration
}

TEST(screen, estimates_the_phase_of_the_server_clock_from_arrivals) {
  Screen s;
  // Server time when each frame left: 1000.2, 1002.7, 1004.9 (ts is the whole second).
  // The panel's clock reads 10000 at server time 1000.0 (plus no latency).
  s.receive(frame_at(1000, session_json("a", "A", "playing", 10, 1000)), 10200);
  CHECK_EQ(s.screen.phase_ms, 0u);  // one frame: no bound yet
  s.receive(frame_at(1002, session_json("a", "A", "playing", 12, 1000)), 12700);
  CHECK_EQ(s.screen.phase_ms, 500u);  // 2000 ms of server seconds in 2500 ms: at least 0.5 s
  s.receive(frame_at(1004, session_json("a", "A", "playing", 14, 1000)), 14900);
  CHECK_EQ(s.screen.phase_ms, 700u);  // bound from the first frame: 4700 - 4000
  // So at 15000 the position is 14 s + 0.7 s + 0.1 s.
  CHECK_EQ(mq_screen_progress(&s.screen, mq_screen_selected(&s.screen), 15000).pos_ms, 14800u);
  CHECK_EQ(mq_screen_server_time(&s.screen, 15300), 1005);
}

TEST(screen, phase_estimate_survives_the_32_bit_clock_wrapping) {
  Screen s;
  const uint32_t before = 0xFFFFFF00u;
  s.receive(frame_at(1000, session_json("a", "A", "playing", 10, 1000)), before + 200u);
  s.receive(frame_at(1002, session_json("a", "A", "playing", 12, 1000)), before + 2700u);  // wrapped
  CHECK_EQ(s.screen.phase_ms, 500u);
  const mq_progress_t p = mq_screen_progress(&s.screen, mq_screen_selected(&s.screen), before + 3700u);
  CHECK_EQ(p.pos_ms, 13500u);
}

TEST(screen, a_server_clock_step_cannot_push_the_phase_past_a_second) {
  Screen s;
  s.receive(frame_at(5000, session_json("a", "A")), 0);
  s.receive(frame_at(1000, session_json("a", "A")), 2000);  // the server's clock went back
  CHECK(s.screen.phase_ms <= 1000u);
}

TEST(screen, goes_stale_and_stops_moving_without_frames) {
  Screen s;
  CHECK(mq_screen_stale(&s.screen, 0));
  s.receive(frame_json(session_json("a", "A", "playing", 100, 100000)), 1000);
  CHECK(!mq_screen_stale(&s.screen, 1000 + MQ_STALE_AFTER_MS));
  CHECK(mq_screen_stale(&s.screen, 1001 + MQ_STALE_AFTER_MS));
  const mq_session_t *a = mq_screen_selected(&s.screen);
  const mq_progress_t late = mq_screen_progress(&s.screen, a, 1000 + 60000);
  CHECK(!late.moving);
  CHECK_EQ(late.pos_ms, 100000u + MQ_STALE_AFTER_MS);
}
