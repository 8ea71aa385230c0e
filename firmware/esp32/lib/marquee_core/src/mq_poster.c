#include "mq_poster.h"

#include <string.h>

#include "marquee_limits.h"

bool mq_poster_layout(uint16_t width, uint16_t height, mq_poster_layout_t *layout) {
  if (layout == NULL || width == 0 || height == 0) return false;
  if (width > MQ_POSTER_WIDTH || height > MQ_POSTER_HEIGHT) return false;
  layout->image_w = width;
  layout->image_h = height;
  layout->canvas_w = (uint16_t)MQ_POSTER_WIDTH;
  layout->canvas_h = (uint16_t)MQ_POSTER_HEIGHT;
  layout->stride = (uint16_t)MQ_POSTER_WIDTH;
  layout->x = (uint16_t)((MQ_POSTER_WIDTH - width) / 2u);
  layout->y = (uint16_t)((MQ_POSTER_HEIGHT - height) / 2u);
  return true;
}

static bool canvas_fits(const mq_poster_layout_t *layout, size_t canvas_pixels) {
  return (size_t)layout->stride * layout->canvas_h <= canvas_pixels &&
         layout->canvas_w <= layout->stride &&
         (uint32_t)layout->x + layout->image_w <= layout->canvas_w &&
         (uint32_t)layout->y + layout->image_h <= layout->canvas_h;
}

bool mq_poster_blit(const mq_poster_layout_t *layout, uint16_t *canvas, size_t canvas_pixels,
                    int32_t x, int32_t y, uint32_t w, uint32_t h, const uint16_t *block) {
  if (layout == NULL || canvas == NULL || block == NULL) return false;
  if (!canvas_fits(layout, canvas_pixels)) return false;
  /* Clip the block to the image: [x0, x1) x [y0, y1) in image coordinates (64-bit, no overflow). */
  const int64_t x0 = x < 0 ? 0 : x;
  const int64_t y0 = y < 0 ? 0 : y;
  int64_t x1 = (int64_t)x + (int64_t)w;
  int64_t y1 = (int64_t)y + (int64_t)h;
  if (x1 > layout->image_w) x1 = layout->image_w;
  if (y1 > layout->image_h) y1 = layout->image_h;
  if (x0 >= x1 || y0 >= y1) return true; /* nothing of it inside the image */
  const size_t columns = (size_t)(x1 - x0);
  for (int64_t row = y0; row < y1; row++) {
    const uint16_t *from = block + (size_t)(row - y) * w + (size_t)(x0 - x);
    uint16_t *to = canvas + (size_t)(layout->y + row) * layout->stride + layout->x + (size_t)x0;
    memcpy(to, from, columns * sizeof(uint16_t));
  }
  return true;
}

void mq_poster_clear(const mq_poster_layout_t *layout, uint16_t *canvas, size_t canvas_pixels,
                     uint16_t color) {
  if (layout == NULL || canvas == NULL || !canvas_fits(layout, canvas_pixels)) return;
  const size_t n = (size_t)layout->stride * layout->canvas_h;
  for (size_t i = 0; i < n; i++) canvas[i] = color;
}
