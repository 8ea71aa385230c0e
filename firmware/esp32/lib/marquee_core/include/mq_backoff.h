/*
 * Reconnect delays with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * the SDK's backoffDelay curve with a floor: attempt n waits uniformly in [floor, min(max, initial
 * * factor^n)), where floor is min_ms (at least 1 ms). A fleet of panels that lost the same server
 * spreads over the window instead of reconnecting in lock-step, and a refused server is never
 * retried at once (a delay of 0 would reconnect on the very next loop pass). Integer-only: no
 * floating point on the panel's hot path.
 */
#ifndef MQ_BACKOFF_H
#define MQ_BACKOFF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  /** Cap of the first delay (attempt 0). */
  uint32_t initial_ms;
  /** Upper bound of every delay. */
  uint32_t max_ms;
  /** Growth of the cap per attempt (>= 1). */
  uint32_t factor;
  /** Shortest delay; 0 is treated as 1 ms, so no delay is ever 0. */
  uint32_t min_ms;
} mq_backoff_t;

/**
 * initial MQ_RECONNECT_INTERVAL_MS, max MQ_RECONNECT_MAX_MS, factor MQ_RECONNECT_FACTOR, min
 * MQ_RECONNECT_MIN_MS.
 */
mq_backoff_t mq_backoff_default(void);

/** The cap of attempt `attempt` (0-based): min(max_ms, initial_ms * factor^attempt). */
uint32_t mq_backoff_cap(const mq_backoff_t *backoff, uint32_t attempt);

/**
 * The delay before attempt `attempt`, in [floor, cap) with floor = max(1, min_ms); when the cap is
 * at or below the floor, the floor itself. `random` is a fresh uniform 32-bit draw (esp_random()
 * on the panel), scaled as floor + (cap - floor) * random / 2^32. Never 0.
 */
uint32_t mq_backoff_delay(const mq_backoff_t *backoff, uint32_t attempt, uint32_t random);

#ifdef __cplusplus
}
#endif

#endif /* MQ_BACKOFF_H */
