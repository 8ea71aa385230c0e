#include "check.hpp"
#include "support.hpp"

TEST(backoff, defaults_come_from_limits_json) {
  const mq_backoff_t b = mq_backoff_default();
  CHECK_EQ(b.initial_ms, MQ_RECONNECT_INTERVAL_MS);
  CHECK_EQ(b.max_ms, MQ_RECONNECT_MAX_MS);
  CHECK_EQ(b.factor, MQ_RECONNECT_FACTOR);
  CHECK_EQ(b.min_ms, MQ_RECONNECT_MIN_MS);
  CHECK(MQ_RECONNECT_MIN_MS > 0u);
  CHECK(MQ_RECONNECT_MIN_MS < MQ_RECONNECT_INTERVAL_MS);
}

TEST(backoff, cap_grows_exponentially_up_to_the_bound) {
  const mq_backoff_t b = {5000, 60000, 2, 1000};
  CHECK_EQ(mq_backoff_cap(&b, 0), 5000u);
  CHECK_EQ(mq_backoff_cap(&b, 1), 10000u);
  CHECK_EQ(mq_backoff_cap(&b, 2), 20000u);
  CHECK_EQ(mq_backoff_cap(&b, 3), 40000u);
  CHECK_EQ(mq_backoff_cap(&b, 4), 60000u);
  CHECK_EQ(mq_backoff_cap(&b, 1000000), 60000u);
  CHECK_EQ(mq_backoff_cap(&b, UINT32_MAX), 60000u);
  const mq_backoff_t odd = {70000, 60000, 0, 1000};
  CHECK_EQ(mq_backoff_cap(&odd, 0), 60000u);
  CHECK_EQ(mq_backoff_cap(&odd, 5), 60000u);
}

TEST(backoff, delays_are_jitter_between_the_floor_and_the_cap) {
  const mq_backoff_t b = mq_backoff_default();
  const uint32_t floor = MQ_RECONNECT_MIN_MS;
  CHECK_EQ(mq_backoff_delay(&b, 0, 0), floor);
  CHECK_EQ(mq_backoff_delay(&b, 0, 0x80000000u), floor + (MQ_RECONNECT_INTERVAL_MS - floor) / 2u);
  CHECK_EQ(mq_backoff_delay(&b, 0, UINT32_MAX), MQ_RECONNECT_INTERVAL_MS - 1u);
  CHECK_EQ(mq_backoff_delay(&b, 50, UINT32_MAX), MQ_RECONNECT_MAX_MS - 1u);
  uint32_t state = 12345;
  uint64_t sum = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; i++) {
    state = state * 1664525u + 1013904223u;
    const uint32_t d = mq_backoff_delay(&b, 3, state);
    CHECK(d >= floor);
    CHECK(d < mq_backoff_cap(&b, 3));
    sum += d;
  }
  // Uniform over [1000, 40000): the mean is close to 20500 (spread, not lock-step).
  const double mean = (double)sum / draws;
  CHECK(mean > 19500 && mean < 21500);
}

// The bug this guards against: full jitter over [0, cap) drew 0 ms for a small random value, and a
// refused server was then retried on the very next loop pass.
TEST(backoff, no_delay_after_a_failure_is_ever_zero) {
  const uint32_t randoms[] = {0u, 1u, 858993u, 0x7FFFFFFFu, UINT32_MAX};
  const mq_backoff_t configs[] = {mq_backoff_default(), {5000, 60000, 2, 0}, {0, 0, 0, 0},
                                  {0, 60000, 2, 0}, {10, 5, 1, 100}};
  for (const mq_backoff_t &b : configs) {
    for (uint32_t attempt = 0; attempt < 40; attempt++) {
      for (uint32_t r : randoms) {
        const uint32_t d = mq_backoff_delay(&b, attempt, r);
        CHECK(d >= 1u);
        CHECK(d >= b.min_ms);
      }
    }
  }
  const mq_backoff_t tight = {10, 5, 1, 100};  // cap below the floor: the floor wins
  CHECK_EQ(mq_backoff_delay(&tight, 0, UINT32_MAX), 100u);
}
