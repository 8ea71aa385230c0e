#include "check.hpp"
#include "support.hpp"

namespace {

struct Random {
  uint32_t value = 0x80000000u;  // half the window unless a test says otherwise
  static uint32_t draw(void *self) { return static_cast<Random *>(self)->value; }
};

struct Conn {
  Random random;
  mq_conn_t conn;
  Conn() { mq_conn_init(&conn, mq_conn_default_config(), &Random::draw, &random); }
};

}  // namespace

TEST(conn, connects_at_once_then_goes_live_on_the_first_valid_frame) {
  Conn c;
  CHECK_EQ(mq_conn_tick(&c.conn, 0), MQ_CONN_NONE);  // idle until started
  mq_conn_start(&c.conn, 100);
  CHECK_EQ(c.conn.state, MQ_CONN_WAITING);
  CHECK_EQ(mq_conn_tick(&c.conn, 100), MQ_CONN_CONNECT);
  CHECK_EQ(c.conn.state, MQ_CONN_CONNECTING);
  mq_conn_on_open(&c.conn, 150);
  CHECK_EQ(c.conn.state, MQ_CONN_OPEN);
  mq_conn_on_frame(&c.conn, 160, false);  // rejected frame: alive, not live
  CHECK_EQ(c.conn.state, MQ_CONN_OPEN);
  mq_conn_on_frame(&c.conn, 200, true);
  CHECK_EQ(c.conn.state, MQ_CONN_LIVE);
  CHECK_EQ(c.conn.connects, 1u);
  CHECK_STR(mq_conn_state_name(c.conn.state), "live");
}

TEST(conn, backs_off_with_growing_windows_and_resets_only_after_a_valid_frame) {
  Conn c;
  mq_conn_start(&c.conn, 0);
  uint32_t now = 0;
  const uint32_t expected[] = {2500, 5000, 10000, 20000, 30000, 30000};
  for (uint32_t want : expected) {
    CHECK_EQ(mq_conn_tick(&c.conn, now), MQ_CONN_CONNECT);
    mq_conn_on_open(&c.conn, now);  // a proxy accepts the upgrade ...
    const uint32_t delay = mq_conn_on_closed(&c.conn, now);  // ... and drops it at once
    CHECK_EQ(delay, want);
    CHECK_EQ(c.conn.last_close, MQ_CLOSE_REMOTE);
    CHECK_EQ(mq_conn_tick(&c.conn, now + delay - 1), MQ_CONN_NONE);
    now += delay;
  }
  CHECK_EQ(c.conn.attempt, 6u);
  CHECK_EQ(mq_conn_tick(&c.conn, now), MQ_CONN_CONNECT);
  mq_conn_on_open(&c.conn, now);
  mq_conn_on_frame(&c.conn, now, true);
  CHECK_EQ(c.conn.attempt, 0u);
  CHECK_EQ(mq_conn_on_closed(&c.conn, now), 2500u);
  CHECK_EQ(c.conn.drops, 7u);
}

TEST(conn, every_delay_is_fresh_jitter_within_its_window) {
  Conn c;
  mq_conn_start(&c.conn, 0);
  uint32_t now = 0;
  uint32_t seed = 7;
  for (int i = 0; i < 200; i++) {
    seed = seed * 1103515245u + 12345u;
    c.random.value = seed;
    CHECK_EQ(mq_conn_tick(&c.conn, now), MQ_CONN_CONNECT);
    const uint32_t attempt = c.conn.attempt;
    const uint32_t delay = mq_conn_on_closed(&c.conn, now);  // refused before opening
    CHECK(delay < mq_backoff_cap(&c.conn.config.backoff, attempt));
    CHECK(delay <= MQ_RECONNECT_MAX_MS);
    now += delay;
  }
}

TEST(conn, a_connect_that_hangs_is_closed_after_the_timeout) {
  Conn c;
  mq_conn_start(&c.conn, 0);
  CHECK_EQ(mq_conn_tick(&c.conn, 0), MQ_CONN_CONNECT);
  CHECK_EQ(mq_conn_next_deadline(&c.conn, 0), MQ_CONNECT_TIMEOUT_MS);
  CHECK_EQ(mq_conn_tick(&c.conn, MQ_CONNECT_TIMEOUT_MS - 1), MQ_CONN_NONE);
  CHECK_EQ(mq_conn_tick(&c.conn, MQ_CONNECT_TIMEOUT_MS), MQ_CONN_CLOSE);
  CHECK_EQ(mq_conn_tick(&c.conn, MQ_CONNECT_TIMEOUT_MS + 1), MQ_CONN_NONE);  // once
  mq_conn_on_closed(&c.conn, MQ_CONNECT_TIMEOUT_MS + 5);
  CHECK_EQ(c.conn.last_close, MQ_CLOSE_CONNECT_TIMEOUT);
  CHECK_EQ(c.conn.state, MQ_CONN_WAITING);
}

TEST(conn, pings_while_open_and_reconnects_when_pongs_stop) {
  Conn c;
  mq_conn_start(&c.conn, 0);
  mq_conn_tick(&c.conn, 0);
  mq_conn_on_open(&c.conn, 0);
  mq_conn_on_frame(&c.conn, 0, true);
  CHECK_EQ(mq_conn_tick(&c.conn, 15000), MQ_CONN_PING);
  mq_conn_on_pong(&c.conn, 15020);
  CHECK_EQ(mq_conn_tick(&c.conn, 18000), MQ_CONN_NONE);
  CHECK_EQ(mq_conn_tick(&c.conn, 30000), MQ_CONN_PING);
  CHECK_EQ(mq_conn_tick(&c.conn, 33000), MQ_CONN_NONE);  // one miss
  CHECK_EQ(mq_conn_tick(&c.conn, 45000), MQ_CONN_PING);
  CHECK_EQ(mq_conn_tick(&c.conn, 48000), MQ_CONN_CLOSE);  // two in a row
  mq_conn_on_closed(&c.conn, 48001);
  CHECK_EQ(c.conn.last_close, MQ_CLOSE_HEARTBEAT);
  CHECK_STR(mq_close_reason_name(c.conn.last_close), "no pong");
  CHECK_EQ(c.conn.attempt, 1u);
}

TEST(conn, frames_keep_a_connection_alive_without_pongs) {
  Conn c;
  mq_conn_start(&c.conn, 0);
  mq_conn_tick(&c.conn, 0);
  mq_conn_on_open(&c.conn, 0);
  for (uint32_t t = 0; t < 120000; t += 100) {
    if (t % 2000 == 0) mq_conn_on_frame(&c.conn, t, true);  // the server's 2 s push
    CHECK(mq_conn_tick(&c.conn, t) != MQ_CONN_CLOSE);
  }
  CHECK_EQ(c.conn.state, MQ_CONN_LIVE);
}

TEST(conn, events_out_of_place_are_ignored) {
  Conn c;
  mq_conn_on_open(&c.conn, 0);
  mq_conn_on_frame(&c.conn, 0, true);
  mq_conn_on_pong(&c.conn, 0);
  CHECK_EQ(mq_conn_on_closed(&c.conn, 0), 0u);
  CHECK_EQ(c.conn.state, MQ_CONN_IDLE);
  CHECK_EQ(c.conn.drops, 0u);
}
