/*
 * Backlight dimmed at night. The hour comes from the server's clock (each frame's `ts`, see
 * mq_screen_server_time) in the panel's time zone, so the panel needs no NTP of its own.
 */
#ifndef MQ_BACKLIGHT_H
#define MQ_BACKLIGHT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  /** Hour (0-23) the night starts, inclusive. */
  uint8_t night_from;
  /** Hour (0-23) the day starts again; may be smaller than night_from (22 -> 7). */
  uint8_t night_to;
  uint8_t day_level;
  uint8_t night_level;
} mq_backlight_t;

/**
 * The PWM level (0-255) for local `hour`; `hour` < 0 (time unknown: no frame yet) gives the day
 * level. night_from == night_to means never dim.
 */
uint8_t mq_backlight_level(const mq_backlight_t *config, int hour);

#ifdef __cplusplus
}
#endif

#endif /* MQ_BACKLIGHT_H */
