#include "check.hpp"
#include "support.hpp"

TEST(backoff, defaults_come_from_limits_json) {
  const mq_backoff_t b = mq_backoff_default();
  CHECK_EQ(b.initial_ms, MQ_RECONNECT_INTERVAL_MS);
  CHECK_EQ(b.max_ms, MQ_RECONNECT_MAX_MS);
  CHECK_EQ(b.factor, MQ_RECONNECT_FACTOR);
}

TEST(backoff, cap_grows_exponentially_up_to_the_bound) {
  const mq_backoff_t b = {5000, 60000, 2};
  CHECK_EQ(mq_backoff_cap(&b, 0), 5000u);
  CHECK_EQ(mq_backoff_cap(&b, 1), 10000u);
  CHECK_EQ(mq_backoff_cap(&b, 2), 20000u);
  CHECK_EQ(mq_backoff_cap(&b, 3), 40000u);
  CHECK_EQ(mq_backoff_cap(&b, 4), 60000u);
  CHECK_EQ(mq_backoff_cap(&b, 1000000), 60000u);
  CHECK_EQ(mq_backoff_cap(&b, UINT32_MAX), 60000u);
  const mq_backoff_t odd = {70000, 60000, 0};
  CHECK_EQ(mq_backoff_cap(&odd, 0), 60000u);
  CHECK_EQ(mq_backoff_cap(&odd, 5), 60000u);
}

TEST(backoff, delays_are_full_jitter_within_zero_and_the_cap) {
  const mq_backoff_t b = mq_backoff_default();
  CHECK_EQ(mq_backoff_delay(&b, 0, 0), 0u);
  CHECK_EQ(mq_backoff_delay(&b, 0, 0x80000000u), MQ_RECONNECT_INTERVAL_MS / 2u);
  CHECK_EQ(mq_backoff_delay(&b, 0, UINT32_MAX), MQ_RECONNECT_INTERVAL_MS - 1u);
  CHECK_EQ(mq_backoff_delay(&b, 50, UINT32_MAX), MQ_RECONNECT_MAX_MS - 1u);
  uint32_t state = 12345;
  uint64_t sum = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; i++) {
    state = state * 1664525u + 1013904223u;
    const uint32_t d = mq_backoff_delay(&b, 3, state);
    CHECK(d < mq_backoff_cap(&b, 3));
    sum += d;
  }
  // Uniform over [0, 40000): the mean is close to 20000 (spread, not lock-step).
  const double mean = (double)sum / draws;
  CHECK(mean > 19000 && mean < 21000);
}
