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
  // Half of each window above the 1000 ms floor: 1000 + (cap - 1000) / 2.
  const uint32_t expected[] = {3000, 5500, 10500, 20500, 30500, 30500};
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
  CHECK_EQ(mq_conn_on_closed(&c.conn, now), 3000u);
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
    CHECK(delay >= MQ_RECONNECT_MIN_MS);
    CHECK(delay <= MQ_RECONNECT_MAX_MS);
    CHECK_EQ(mq_conn_tick(&c.conn, now), MQ_CONN_NONE);  // never straight back
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

TEST(conn, a_failure_is_never_followed_by_a_connect_on_the_same_pass) {
  Conn c;
  c.random.value = 0;  // the lowest draw: full jitter used to give 0 ms here
  mq_conn_start(&c.conn, 0);
  uint32_t now = 0;
  for (int i = 0; i < 50; i++) {
    CHECK_EQ(mq_conn_tick(&c.conn, now), MQ_CONN_CONNECT);
    const uint32_t delay = mq_conn_on_closed(&c.conn, now);
    CHECK_EQ(delay, MQ_RECONNECT_MIN_MS);
    CHECK_EQ(mq_conn_tick(&c.conn, now), MQ_CONN_NONE);
    CHECK_EQ(mq_conn_tick(&c.conn, now + delay - 1u), MQ_CONN_NONE);
    now += delay;
  }
}

namespace {

// The reconnect gate of links2004/WebSockets 2.x as its sources read: begin() zeroes the time of
// the last failed connect; loop() opens a TCP connection whenever the socket is down and
// millis() - last_fail >= interval; a refused connect records the time and raises no event
// (the core learns of it from its connect timeout). A model, not the library: it shows what the
// device layer's sequence (src/main.cpp loop()) does with that gate.
struct LibraryModel {
  uint32_t interval = 0;
  uint32_t last_fail = 0;
  bool begun = false;
  bool connected = false;
  uint32_t connects = 0;  // TCP connections attempted
  void begin() {
    begun = true;
    connected = false;
    last_fail = 0;
  }
  void loop(uint32_t now) {
    if (!begun || connected || now - last_fail < interval) return;
    connects++;
    last_fail = now;  // the server refuses every connect
  }
  void disconnect() { connected = false; }
};

// Drives the core and the model like src/main.cpp's loop(), one pass every 5 ms, for `span` ms
// against a server that refuses every connect; returns the TCP connects the model made.
uint32_t refused_for(uint32_t start, uint32_t span, bool old_device_layer,
                     uint32_t *core_connects) {
  Conn c;
  LibraryModel ws;
  ws.interval = old_device_layer ? 0u : mq_conn_library_guard_ms(&c.conn);
  mq_conn_start(&c.conn, start);
  *core_connects = 0;
  for (uint32_t now = start; now - start < span; now += 5u) {
    switch (mq_conn_tick(&c.conn, now)) {
      case MQ_CONN_CONNECT:
        (*core_connects)++;
        ws.begin();
        if (!old_device_layer) {  // open this one attempt, then restore the guard
          ws.interval = 0;
          ws.loop(now);
          ws.interval = mq_conn_library_guard_ms(&c.conn);
        }
        break;
      case MQ_CONN_CLOSE:
        ws.disconnect();
        mq_conn_on_closed(&c.conn, now);
        break;
      default: break;
    }
    const bool wanted = c.conn.state == MQ_CONN_CONNECTING || c.conn.state == MQ_CONN_OPEN ||
                        c.conn.state == MQ_CONN_LIVE;
    if (wanted) ws.loop(now);
  }
  return ws.connects;
}

}  // namespace

TEST(conn, the_library_opens_one_socket_per_core_attempt) {
  const Conn fresh;
  CHECK(mq_conn_library_guard_ms(&fresh.conn) >= 2u * MQ_CONNECT_TIMEOUT_MS);
  // Ten minutes of a refused server, starting at boot (millis() below the guard) and just before
  // the 32-bit wrap.
  const uint32_t starts[] = {3000u, UINT32_MAX - 60000u};
  for (uint32_t start : starts) {
    uint32_t attempts = 0;
    const uint32_t connects = refused_for(start, 600000u, false, &attempts);
    CHECK(attempts > 5u);
    CHECK_EQ(connects, attempts);
  }
  // setReconnectInterval(0), as the device layer had it: the library retries on every pass.
  uint32_t attempts = 0;
  const uint32_t connects = refused_for(3000u, 600000u, true, &attempts);
  CHECK(connects > 100u * attempts);
}
