#include "mq_backoff.h"

#include "marquee_limits.h"

mq_backoff_t mq_backoff_default(void) {
  mq_backoff_t backoff = {MQ_RECONNECT_INTERVAL_MS, MQ_RECONNECT_MAX_MS, MQ_RECONNECT_FACTOR,
                          MQ_RECONNECT_MIN_MS};
  return backoff;
}

uint32_t mq_backoff_cap(const mq_backoff_t *backoff, uint32_t attempt) {
  uint64_t cap = backoff->initial_ms < backoff->max_ms ? backoff->initial_ms : backoff->max_ms;
  const uint64_t factor = backoff->factor < 1u ? 1u : backoff->factor;
  /* Stops growing at the bound, so a week-long outage cannot overflow the multiplication. */
  for (uint32_t i = 0; i < attempt && cap < backoff->max_ms; i++) cap *= factor;
  return cap > backoff->max_ms ? backoff->max_ms : (uint32_t)cap;
}

uint32_t mq_backoff_delay(const mq_backoff_t *backoff, uint32_t attempt, uint32_t random) {
  const uint32_t floor = backoff->min_ms > 0u ? backoff->min_ms : 1u;
  const uint32_t cap = mq_backoff_cap(backoff, attempt);
  if (cap <= floor) return floor;
  return floor + (uint32_t)(((uint64_t)(cap - floor) * (uint64_t)random) >> 32);
}
