/*
 * LVGL 8.3 settings for the panel (only what differs from LVGL's defaults). Found through
 * -DLV_CONF_INCLUDE_SIMPLE in platformio.ini.
 */
#ifndef LV_CONF_H
#define LV_CONF_H

#define LV_COLOR_DEPTH 16
/* LovyanGFX pushes the draw buffer as swapped RGB565 (lgfx::swap565_t). */
#define LV_COLOR_16_SWAP 1

/* LVGL's own heap for widgets and styles; the draw buffers are allocated separately. */
#define LV_MEM_CUSTOM 0
#define LV_MEM_SIZE (64U * 1024U)

#define LV_TICK_CUSTOM 1
#define LV_TICK_CUSTOM_INCLUDE "Arduino.h"
#define LV_TICK_CUSTOM_SYS_TIME_EXPR (millis())

#define LV_DISP_DEF_REFR_PERIOD 33
#define LV_INDEV_DEF_READ_PERIOD 20

/* Fonts: Latin in three sizes; common CJK glyphs as the titles' fallback. Emoji have no glyphs. */
#define LV_FONT_MONTSERRAT_14 1
#define LV_FONT_MONTSERRAT_20 1
#define LV_FONT_MONTSERRAT_28 1
#define LV_FONT_SIMSUN_16_CJK 1
#define LV_FONT_DEFAULT &lv_font_montserrat_14

#define LV_USE_LOG 0
#define LV_USE_PERF_MONITOR 0

#endif /* LV_CONF_H */
