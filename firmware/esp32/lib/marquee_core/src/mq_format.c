#include "mq_format.h"

#include <stdio.h>

static size_t done(char *dst, size_t dst_size, int n) {
  if (n < 0) {
    if (dst_size > 0) dst[0] = '\0';
    return 0;
  }
  return (size_t)n < dst_size ? (size_t)n : dst_size - 1u;
}

size_t mq_format_duration(char *dst, size_t dst_size, uint64_t seconds) {
  if (dst == NULL || dst_size == 0) return 0;
  const unsigned long long h = (unsigned long long)(seconds / 3600u);
  const unsigned m = (unsigned)((seconds / 60u) % 60u);
  const unsigned s = (unsigned)(seconds % 60u);
  if (h > 0) return done(dst, dst_size, snprintf(dst, dst_size, "%llu:%02u:%02u", h, m, s));
  return done(dst, dst_size, snprintf(dst, dst_size, "%u:%02u", m, s));
}

size_t mq_format_rate(char *dst, size_t dst_size, uint64_t bps) {
  if (dst == NULL || dst_size == 0) return 0;
  static const char *const units[] = {"b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"};
  unsigned unit = 0;
  uint64_t scaled_tenths = bps * 10u; /* value in tenths of the current unit */
  if (bps > UINT64_MAX / 10u) scaled_tenths = UINT64_MAX;
  while (scaled_tenths >= 10000u && unit + 1u < sizeof(units) / sizeof(units[0])) {
    scaled_tenths = scaled_tenths / 1000u + (scaled_tenths % 1000u >= 500u ? 1u : 0u);
    unit++;
  }
  /* One decimal below 10 of a unit (2.6 Mb/s), whole numbers above (262 kb/s). */
  if (unit > 0 && scaled_tenths < 100u) {
    return done(dst, dst_size,
                snprintf(dst, dst_size, "%u.%u %s", (unsigned)(scaled_tenths / 10u),
                         (unsigned)(scaled_tenths % 10u), units[unit]));
  }
  return done(dst, dst_size,
              snprintf(dst, dst_size, "%llu %s",
                       (unsigned long long)(scaled_tenths / 10u + (scaled_tenths % 10u >= 5u)),
                       units[unit]));
}

size_t mq_format_tenths(char *dst, size_t dst_size, int32_t tenths) {
  if (dst == NULL || dst_size == 0) return 0;
  const char *sign = tenths < 0 ? "-" : "";
  const uint32_t magnitude = tenths < 0 ? 0u - (uint32_t)tenths : (uint32_t)tenths;
  return done(dst, dst_size,
              snprintf(dst, dst_size, "%s%u.%u", sign, (unsigned)(magnitude / 10u),
                       (unsigned)(magnitude % 10u)));
}

size_t mq_format_bar(char *dst, size_t dst_size, uint16_t permille) {
  enum { CELLS = 20 };
  if (dst == NULL || dst_size < CELLS + 3u) {
    if (dst != NULL && dst_size > 0) dst[0] = '\0';
    return 0;
  }
  const unsigned filled = (unsigned)(permille > 1000u ? 1000u : permille) * CELLS / 1000u;
  dst[0] = '[';
  for (unsigned i = 0; i < CELLS; i++) dst[1u + i] = i < filled ? '#' : '.';
  dst[CELLS + 1u] = ']';
  dst[CELLS + 2u] = '\0';
  return CELLS + 2u;
}
