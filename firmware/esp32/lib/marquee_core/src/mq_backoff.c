#include "mq_backoff.h"

#include "marquee_limits.h"

mq_backoff_t mq_backoff_default(void) {
  mq_backoff_t backoff = {MQ_RECONNECT_INTERVAL_MS, MQ_RECONNECT_MAX_MS, MQ_RECONNECT_FACTOR};
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
  const uint64_t cap = mq_backoff_cap(backoff, attempt);
  return (uint32_t)((cap * (uint64_t)random) >> 32);
}
