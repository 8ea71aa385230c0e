// The LVGL screens: three pages drawn from the core's state, nothing decided here.
// NOT COMPILED IN CI (ESP32 toolchain only), see ../README.md.
#pragma once

#include <lvgl.h>

extern "C" {
#include "marquee_core.h"
}

struct UiModel {
  mq_screen_t *screen;
  mq_conn_t *conn;
  mq_commander_t *cmd;
  mq_network_info_t *net;
};

/** A button was tapped: the caller starts the command in the core (mq_cmd_begin). */
using UiCommandHandler = void (*)(mq_action_t action);

void ui_begin(const UiModel &model, UiCommandHandler on_command);

/** Redraws what changed; call after each frame and a few times a second for the progress bar. */
void ui_refresh(uint32_t now);

/** The selected session's decoded poster (150x225 RGB565), or nullptr for none. */
void ui_set_poster(const lv_img_dsc_t *poster);
