#include "mq_backlight.h"

#include <stdbool.h>

uint8_t mq_backlight_level(const mq_backlight_t *config, int hour) {
  if (hour < 0 || hour > 23 || config->night_from == config->night_to) return config->day_level;
  const int from = config->night_from;
  const int to = config->night_to;
  const bool night = from < to ? (hour >= from && hour < to) : (hour >= from || hour < to);
  return night ? config->night_level : config->day_level;
}
