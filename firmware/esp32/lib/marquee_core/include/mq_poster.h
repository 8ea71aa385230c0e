/*
 * Where a decoded poster's pixels go. The panel keeps one canvas of MQ_POSTER_WIDTH x
 * MQ_POSTER_HEIGHT RGB565 pixels and tells LVGL that canvas's size; a poster smaller than the box
 * (the server keeps the aspect ratio, so a wide film gives a 150x100 poster and a narrow one a
 * 120x225) is centred in it on a cleared background. The decoder (TJpgDec) hands over blocks of
 * the image (x, y, w, h, w*h pixels); mq_poster_blit copies one into the canvas, clipped to the
 * image and to the canvas, at the row stride LVGL reads with.
 *
 * The bug this replaced: rows were copied MQ_POSTER_WIDTH pixels apart while LVGL was told the
 * poster's own width, so every poster narrower than the box was drawn sheared.
 */
#ifndef MQ_POSTER_H
#define MQ_POSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marquee_limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Pixels in the canvas (MQ_POSTER_WIDTH x MQ_POSTER_HEIGHT). */
#define MQ_POSTER_CANVAS_PIXELS ((size_t)MQ_POSTER_WIDTH * (size_t)MQ_POSTER_HEIGHT)

typedef struct {
  /** The decoded image, in pixels (the JPEG's size: posters larger than the box are refused). */
  uint16_t image_w;
  uint16_t image_h;
  /** The canvas: what LVGL is told (lv_img_dsc_t header.w / header.h). */
  uint16_t canvas_w;
  uint16_t canvas_h;
  /** Pixels from one canvas row to the next; always canvas_w, the stride LVGL assumes. */
  uint16_t stride;
  /** Where the image's top-left pixel lands in the canvas (the image centred). */
  uint16_t x;
  uint16_t y;
} mq_poster_layout_t;

/**
 * The layout of a `width` x `height` poster in the box. False (and `layout` untouched) when either
 * side is 0 or larger than the box.
 */
bool mq_poster_layout(uint16_t width, uint16_t height, mq_poster_layout_t *layout);

/**
 * Copies one decoded block (`w` x `h` pixels, rows `w` apart, its top-left at (`x`, `y`) in image
 * coordinates) into `canvas` (`canvas_pixels` long), clipped to the image and the canvas. False
 * only for a missing canvas or block, or a canvas smaller than the layout's (the decoder stops).
 */
bool mq_poster_blit(const mq_poster_layout_t *layout, uint16_t *canvas, size_t canvas_pixels,
                    int32_t x, int32_t y, uint32_t w, uint32_t h, const uint16_t *block);

/** Fills the whole canvas with `color` (the background around a smaller poster). */
void mq_poster_clear(const mq_poster_layout_t *layout, uint16_t *canvas, size_t canvas_pixels,
                     uint16_t color);

#ifdef __cplusplus
}
#endif

#endif /* MQ_POSTER_H */
