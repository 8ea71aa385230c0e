/*
 * Reconnect delays with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * the same curve as the SDK's backoffDelay: attempt n waits uniformly in [0, min(max, initial *
 * factor^n)). A fleet of panels that lost the same server spreads over the whole window instead
 * of reconnecting in lock-step. Integer-only: no floating point on the panel's hot path.
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
} mq_backoff_t;

/** initial MQ_RECONNECT_INTERVAL_MS, max MQ_RECONNECT_MAX_MS, factor MQ_RECONNECT_FACTOR. */
mq_backoff_t mq_backoff_default(void);

/** The cap of attempt `attempt` (0-based): min(max_ms, initial_ms * factor^attempt). */
uint32_t mq_backoff_cap(const mq_backoff_t *backoff, uint32_t attempt);

/**
 * The delay before attempt `attempt`, in [0, cap): `random` is a fresh uniform 32-bit draw
 * (esp_random() on the panel), scaled as cap * random / 2^32.
 */
uint32_t mq_backoff_delay(const mq_backoff_t *backoff, uint32_t attempt, uint32_t random);

#ifdef __cplusplus
}
#endif

#endif /* MQ_BACKOFF_H */
