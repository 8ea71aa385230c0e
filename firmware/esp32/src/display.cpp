// LVGL 8 <-> LovyanGFX glue. NOT COMPILED IN CI (ESP32 toolchain only), see ../README.md.
#include "display.hpp"

#include <Arduino.h>

#include <utility>

static PanelDisplay *s_tft;
static lv_disp_draw_buf_t s_draw_buf;
static lv_disp_drv_t s_disp_drv;
static lv_indev_drv_t s_indev_drv;

static void flush(lv_disp_drv_t *drv, const lv_area_t *area, lv_color_t *pixels) {
  const uint32_t w = area->x2 - area->x1 + 1;
  const uint32_t h = area->y2 - area->y1 + 1;
  s_tft->startWrite();
  s_tft->setAddrWindow(area->x1, area->y1, w, h);
  s_tft->writePixels(reinterpret_cast<lgfx::swap565_t *>(&pixels->full), w * h);
  s_tft->endWrite();
  lv_disp_flush_ready(drv);
}

static void read_touch(lv_indev_drv_t *, lv_indev_data_t *data) {
  uint16_t x, y;
  if (s_tft->getTouch(&x, &y)) {
    data->state = LV_INDEV_STATE_PR;
    data->point.x = x;
    data->point.y = y;
  } else {
    data->state = LV_INDEV_STATE_REL;
  }
}

bool display_begin(PanelDisplay &tft) {
  s_tft = &tft;
  tft.init();
  tft.setRotation(1);  // landscape, 480x320
  tft.setBrightness(255);
  lv_init();
  // Two 480x40 buffers in internal DMA-capable RAM (2 x 38.4 KB); with one of them missing, a
  // single buffer (LVGL renders and flushes in turn); with neither, one 480x10 buffer; with not
  // even that, false: nothing can be drawn.
  static const uint32_t kPixels = 480 * 40;
  static const uint32_t kFallbackPixels = 480 * 10;
  auto *a = static_cast<lv_color_t *>(heap_caps_malloc(kPixels * sizeof(lv_color_t), MALLOC_CAP_DMA));
  auto *b = static_cast<lv_color_t *>(heap_caps_malloc(kPixels * sizeof(lv_color_t), MALLOC_CAP_DMA));
  uint32_t pixels = kPixels;
  if (a == nullptr) std::swap(a, b);
  if (a == nullptr) {
    pixels = kFallbackPixels;
    a = static_cast<lv_color_t *>(heap_caps_malloc(pixels * sizeof(lv_color_t), MALLOC_CAP_DMA));
    if (a == nullptr) return false;
  }
  lv_disp_draw_buf_init(&s_draw_buf, a, b, pixels);
  lv_disp_drv_init(&s_disp_drv);
  s_disp_drv.hor_res = 480;
  s_disp_drv.ver_res = 320;
  s_disp_drv.flush_cb = flush;
  s_disp_drv.draw_buf = &s_draw_buf;
  lv_disp_drv_register(&s_disp_drv);
  lv_indev_drv_init(&s_indev_drv);
  s_indev_drv.type = LV_INDEV_TYPE_POINTER;
  s_indev_drv.read_cb = read_touch;
  lv_indev_drv_register(&s_indev_drv);
  return true;
}

void display_backlight(PanelDisplay &tft, uint8_t level) { tft.setBrightness(level); }
