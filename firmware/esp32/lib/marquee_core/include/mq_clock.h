/*
 * Time on the panel is a 32-bit millisecond counter (Arduino's millis(), the harness's
 * CLOCK_MONOTONIC) that wraps after 49.7 days. Compare instants only through these helpers, which
 * are right across the wrap as long as the instants are less than 24.8 days apart.
 */
#ifndef MQ_CLOCK_H
#define MQ_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Milliseconds from `since` to `now` (wrap-safe; `now` must not be before `since`). */
static inline uint32_t mq_elapsed(uint32_t now, uint32_t since) { return now - since; }

/** True once `now` has reached `deadline` (wrap-safe). */
static inline bool mq_reached(uint32_t now, uint32_t deadline) {
  return (int32_t)(now - deadline) >= 0;
}

/** Milliseconds until `deadline`, 0 when reached. */
static inline uint32_t mq_until(uint32_t now, uint32_t deadline) {
  return mq_reached(now, deadline) ? 0u : deadline - now;
}

#ifdef __cplusplus
}
#endif

#endif /* MQ_CLOCK_H */
