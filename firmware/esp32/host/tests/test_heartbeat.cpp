#include "check.hpp"
#include "support.hpp"

TEST(heartbeat, defaults_are_15000_3000_2) {
  const mq_heartbeat_config_t c = mq_heartbeat_default();
  CHECK_EQ(c.interval_ms, 15000u);
  CHECK_EQ(c.pong_timeout_ms, 3000u);
  CHECK_EQ(c.max_misses, 2u);
}

TEST(heartbeat, pings_every_interval_while_answered) {
  mq_heartbeat_t hb;
  mq_heartbeat_init(&hb, mq_heartbeat_default());
  CHECK_EQ(mq_heartbeat_tick(&hb, 0), MQ_HEARTBEAT_IDLE);  // not started
  mq_heartbeat_start(&hb, 0);
  CHECK_EQ(mq_heartbeat_tick(&hb, 14999), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(mq_heartbeat_next_deadline(&hb, 14999), 15000u);
  CHECK_EQ(mq_heartbeat_tick(&hb, 15000), MQ_HEARTBEAT_SEND_PING);
  CHECK_EQ(mq_heartbeat_next_deadline(&hb, 15000), 18000u);
  mq_heartbeat_alive(&hb);  // pong
  CHECK_EQ(mq_heartbeat_tick(&hb, 18000), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(mq_heartbeat_tick(&hb, 30000), MQ_HEARTBEAT_SEND_PING);
  mq_heartbeat_alive(&hb);
  for (uint32_t t = 30000; t <= 600000; t += 100) {
    if (mq_heartbeat_tick(&hb, t) == MQ_HEARTBEAT_SEND_PING) mq_heartbeat_alive(&hb);
  }
  CHECK(hb.running);
  CHECK_EQ(hb.misses, 0u);
}

TEST(heartbeat, two_missed_pongs_in_a_row_mean_dead_at_33_seconds) {
  mq_heartbeat_t hb;
  mq_heartbeat_init(&hb, mq_heartbeat_default());
  mq_heartbeat_start(&hb, 0);
  uint32_t dead_at = 0, pings = 0;
  for (uint32_t t = 0; t <= 60000 && dead_at == 0; t += 100) {
    switch (mq_heartbeat_tick(&hb, t)) {
      case MQ_HEARTBEAT_SEND_PING: pings++; break;
      case MQ_HEARTBEAT_DEAD: dead_at = t; break;
      case MQ_HEARTBEAT_IDLE: break;
    }
  }
  CHECK_EQ(pings, 2u);       // at 15 s and 30 s
  CHECK_EQ(dead_at, 33000u);  // the second pong timeout
  CHECK(!hb.running);
}

TEST(heartbeat, one_miss_then_life_resets_the_count) {
  mq_heartbeat_t hb;
  mq_heartbeat_init(&hb, mq_heartbeat_default());
  mq_heartbeat_start(&hb, 0);
  CHECK_EQ(mq_heartbeat_tick(&hb, 15000), MQ_HEARTBEAT_SEND_PING);
  CHECK_EQ(mq_heartbeat_tick(&hb, 18000), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(hb.misses, 1u);
  CHECK_EQ(mq_heartbeat_tick(&hb, 30000), MQ_HEARTBEAT_SEND_PING);
  mq_heartbeat_alive(&hb);  // a frame arrived: as good as a pong
  CHECK_EQ(mq_heartbeat_tick(&hb, 33000), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(hb.misses, 0u);
  CHECK_EQ(mq_heartbeat_tick(&hb, 45000), MQ_HEARTBEAT_SEND_PING);
  CHECK_EQ(mq_heartbeat_tick(&hb, 48000), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(hb.misses, 1u);
}

TEST(heartbeat, life_before_a_ping_does_not_excuse_silence_after_it) {
  mq_heartbeat_t hb;
  mq_heartbeat_init(&hb, mq_heartbeat_default());
  mq_heartbeat_start(&hb, 0);
  mq_heartbeat_alive(&hb);
  CHECK_EQ(mq_heartbeat_tick(&hb, 15000), MQ_HEARTBEAT_SEND_PING);
  CHECK_EQ(mq_heartbeat_tick(&hb, 18000), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(hb.misses, 1u);
}

TEST(heartbeat, timing_is_right_across_the_clock_wrap) {
  mq_heartbeat_t hb;
  mq_heartbeat_init(&hb, mq_heartbeat_default());
  const uint32_t start = UINT32_MAX - 5000u;
  mq_heartbeat_start(&hb, start);
  CHECK_EQ(mq_heartbeat_tick(&hb, start + 14999u), MQ_HEARTBEAT_IDLE);
  CHECK_EQ(mq_heartbeat_tick(&hb, start + 15000u), MQ_HEARTBEAT_SEND_PING);
  CHECK_EQ(mq_heartbeat_tick(&hb, start + 30000u), MQ_HEARTBEAT_SEND_PING);
  CHECK_EQ(mq_heartbeat_tick(&hb, start + 33000u), MQ_HEARTBEAT_DEAD);
}
