#include "mq_jpeg.h"

#include <string.h>

#include "marquee_limits.h"

mq_jpeg_result_t mq_jpeg_probe(const uint8_t *data, size_t len, mq_jpeg_info_t *info) {
  mq_jpeg_info_t local;
  if (info == NULL) info = &local;
  memset(info, 0, sizeof(*info));
  if (data == NULL || len < 4 || data[0] != 0xFF || data[1] != 0xD8) return MQ_JPEG_NOT_JPEG;
  if (len > MQ_POSTER_MAX_BYTES) return MQ_JPEG_TOO_LARGE;
  size_t i = 2;
  for (;;) {
    /* Markers: 0xFF, optional 0xFF fill bytes, then the code. */
    if (i >= len) return MQ_JPEG_TRUNCATED;
    if (data[i] != 0xFF) return MQ_JPEG_NOT_JPEG;
    while (i < len && data[i] == 0xFF) i++;
    if (i >= len) return MQ_JPEG_TRUNCATED;
    const uint8_t code = data[i++];
    if (code == 0xD9 || code == 0xDA) return MQ_JPEG_TRUNCATED; /* EOI or SOS before a frame */
    if (code == 0x01 || (code >= 0xD0 && code <= 0xD7)) continue; /* no length */
    if (i + 2u > len) return MQ_JPEG_TRUNCATED;
    const size_t segment = ((size_t)data[i] << 8) | data[i + 1u];
    if (segment < 2u) return MQ_JPEG_NOT_JPEG;
    const int is_sof = code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
    if (is_sof) {
      if (segment < 8u || i + 8u > len) return MQ_JPEG_TRUNCATED;
      info->sof = (uint8_t)(code - 0xC0);
      info->height = (uint16_t)(((unsigned)data[i + 3u] << 8) | data[i + 4u]);
      info->width = (uint16_t)(((unsigned)data[i + 5u] << 8) | data[i + 6u]);
      info->components = data[i + 7u];
      if (code != 0xC0) return MQ_JPEG_UNSUPPORTED; /* TJpgDec decodes SOF0 only */
      if (info->width == 0 || info->height == 0) return MQ_JPEG_NOT_JPEG;
      if (info->width > MQ_POSTER_WIDTH || info->height > MQ_POSTER_HEIGHT) {
        return MQ_JPEG_TOO_LARGE;
      }
      return MQ_JPEG_OK;
    }
    if (segment > len - i) return MQ_JPEG_TRUNCATED;
    i += segment;
  }
}

const char *mq_jpeg_result_name(mq_jpeg_result_t result) {
  switch (result) {
    case MQ_JPEG_OK: return "ok";
    case MQ_JPEG_NOT_JPEG: return "not a JPEG";
    case MQ_JPEG_TRUNCATED: return "truncated";
    case MQ_JPEG_UNSUPPORTED: return "not baseline";
    case MQ_JPEG_TOO_LARGE: return "too large";
  }
  return "?";
}
