// The WT32-SC01 Plus's display and touch for LovyanGFX, and their LVGL 8 glue.
// Pins: Wireless-Tag's WT32-SC01 Plus datasheet (interface table), see ../README.md.
// NOT COMPILED IN CI: this file needs the ESP32 toolchain (PlatformIO), see the README.
#pragma once

#define LGFX_USE_V1
#include <LovyanGFX.hpp>
#include <lvgl.h>

class PanelDisplay : public lgfx::LGFX_Device {
  lgfx::Panel_ST7796 panel_;
  lgfx::Bus_Parallel8 bus_;
  lgfx::Light_PWM light_;
  lgfx::Touch_FT5x06 touch_;  // the FT6336U speaks the FT5x06 protocol

 public:
  PanelDisplay() {
    {
      auto cfg = bus_.config();
      cfg.freq_write = 20000000;
      cfg.pin_wr = 47;
      cfg.pin_rd = -1;  // not wired: the panel is write-only
      cfg.pin_rs = 0;   // D/C
      cfg.pin_d0 = 9;
      cfg.pin_d1 = 46;
      cfg.pin_d2 = 3;
      cfg.pin_d3 = 8;
      cfg.pin_d4 = 18;
      cfg.pin_d5 = 17;
      cfg.pin_d6 = 16;
      cfg.pin_d7 = 15;
      bus_.config(cfg);
      panel_.setBus(&bus_);
    }
    {
      auto cfg = panel_.config();
      cfg.pin_cs = -1;
      cfg.pin_rst = 4;  // shared with the touch controller's reset
      cfg.pin_busy = -1;
      cfg.panel_width = 320;
      cfg.panel_height = 480;
      cfg.readable = false;
      cfg.invert = true;
      cfg.rgb_order = false;
      cfg.dlen_16bit = false;
      cfg.bus_shared = false;
      panel_.config(cfg);
    }
    {
      auto cfg = light_.config();
      cfg.pin_bl = 45;
      cfg.invert = false;
      cfg.freq = 44100;
      cfg.pwm_channel = 7;
      light_.config(cfg);
      panel_.setLight(&light_);
    }
    {
      auto cfg = touch_.config();
      cfg.i2c_port = 1;
      cfg.i2c_addr = 0x38;
      cfg.pin_sda = 6;
      cfg.pin_scl = 5;
      cfg.pin_int = 7;
      cfg.pin_rst = -1;  // GPIO 4, already driven by the panel
      cfg.freq = 400000;
      cfg.x_min = 0;
      cfg.x_max = 319;
      cfg.y_min = 0;
      cfg.y_max = 479;
      touch_.config(cfg);
      panel_.setTouch(&touch_);
    }
    setPanel(&panel_);
  }
};

/**
 * Starts the display in landscape (480x320) and registers it and the touch screen with LVGL.
 * False when not even a small LVGL draw buffer could be allocated (nothing can be drawn).
 */
bool display_begin(PanelDisplay &tft);

/** Sets the backlight (0-255). */
void display_backlight(PanelDisplay &tft, uint8_t level);
