// NOT COMPILED IN CI (ESP32 toolchain only), see ../README.md. Every string shown comes from the
// core (mq_format_*, mq_render_page, mq_cmd_describe), which the host tests cover.
#include "ui.h"

#include <string.h>

static UiModel s_model;
static UiCommandHandler s_on_command;
static lv_obj_t *s_pages[MQ_PAGE_COUNT];
static mq_page_t s_shown = MQ_PAGE_NOW_PLAYING;

static lv_obj_t *s_poster, *s_title, *s_meta, *s_bar, *s_time, *s_index, *s_status;
static lv_obj_t *s_pause_btn, *s_pause_label, *s_stop_btn;
static lv_obj_t *s_system[6];
static lv_obj_t *s_network;
static lv_font_t s_title_font;  // Montserrat 20 with the CJK font as fallback

static void set_text(lv_obj_t *label, const char *text) {
  if (strcmp(lv_label_get_text(label), text) != 0) lv_label_set_text(label, text);
}

static void on_gesture(lv_event_t *) {
  const lv_dir_t dir = lv_indev_get_gesture_dir(lv_indev_get_act());
  const mq_swipe_t swipe = dir == LV_DIR_LEFT    ? MQ_SWIPE_LEFT
                           : dir == LV_DIR_RIGHT ? MQ_SWIPE_RIGHT
                           : dir == LV_DIR_TOP   ? MQ_SWIPE_UP
                                                 : MQ_SWIPE_DOWN;
  if (!mq_screen_swipe(s_model.screen, swipe)) return;
  ui_refresh(lv_tick_get());
}

static void on_pause(lv_event_t *) {
  const mq_session_t *s = mq_screen_selected(s_model.screen);
  if (s != nullptr) s_on_command(s->state == MQ_STATE_PAUSED ? MQ_ACTION_RESUME : MQ_ACTION_PAUSE);
}

static void on_stop(lv_event_t *) { s_on_command(MQ_ACTION_STOP); }

static lv_obj_t *page() {
  lv_obj_t *p = lv_obj_create(nullptr);
  lv_obj_set_style_bg_color(p, lv_color_black(), 0);
  lv_obj_set_style_text_color(p, lv_color_white(), 0);
  lv_obj_add_event_cb(p, on_gesture, LV_EVENT_GESTURE, nullptr);
  return p;
}

static lv_obj_t *label(lv_obj_t *parent, int x, int y, const lv_font_t *font) {
  lv_obj_t *l = lv_label_create(parent);
  lv_obj_set_pos(l, x, y);
  lv_obj_set_style_text_font(l, font, 0);
  lv_label_set_text(l, "");
  return l;
}

static lv_obj_t *button(lv_obj_t *parent, int x, const char *text, lv_event_cb_t cb, lv_obj_t **text_label) {
  lv_obj_t *b = lv_btn_create(parent);
  lv_obj_set_size(b, 140, 48);
  lv_obj_set_pos(b, x, 262);
  lv_obj_add_event_cb(b, cb, LV_EVENT_CLICKED, nullptr);
  lv_obj_t *l = lv_label_create(b);
  lv_label_set_text(l, text);
  lv_obj_center(l);
  if (text_label != nullptr) *text_label = l;
  return b;
}

void ui_begin(const UiModel &model, UiCommandHandler on_command) {
  s_model = model;
  s_on_command = on_command;
  s_title_font = lv_font_montserrat_20;
  s_title_font.fallback = &lv_font_simsun_16_cjk;

  lv_obj_t *np = s_pages[MQ_PAGE_NOW_PLAYING] = page();
  s_poster = lv_img_create(np);
  lv_obj_set_pos(s_poster, 10, 40);
  lv_obj_set_size(s_poster, MQ_POSTER_WIDTH, MQ_POSTER_HEIGHT);
  s_index = label(np, 10, 8, &lv_font_montserrat_14);
  s_title = label(np, 175, 40, &s_title_font);
  lv_obj_set_width(s_title, 295);
  lv_label_set_long_mode(s_title, LV_LABEL_LONG_SCROLL_CIRCULAR);
  s_meta = label(np, 175, 80, &lv_font_montserrat_20);
  s_bar = lv_bar_create(np);
  lv_obj_set_size(s_bar, 295, 14);
  lv_obj_set_pos(s_bar, 175, 130);
  lv_bar_set_range(s_bar, 0, 1000);
  s_time = label(np, 175, 152, &lv_font_montserrat_20);
  s_status = label(np, 175, 200, &lv_font_montserrat_14);
  s_pause_btn = button(np, 175, "Pause", on_pause, &s_pause_label);
  s_stop_btn = button(np, 330, "Stop", on_stop, nullptr);

  lv_obj_t *sys = s_pages[MQ_PAGE_SYSTEM] = page();
  label(sys, 10, 8, &lv_font_montserrat_14);
  lv_label_set_text(lv_obj_get_child(sys, 0), "SYSTEM");
  for (int i = 0; i < 6; i++) s_system[i] = label(sys, 20, 40 + i * 44, &lv_font_montserrat_28);

  lv_obj_t *net = s_pages[MQ_PAGE_NETWORK] = page();
  s_network = label(net, 10, 8, &lv_font_montserrat_20);

  lv_scr_load(s_pages[MQ_PAGE_NOW_PLAYING]);
}

void ui_set_poster(const lv_img_dsc_t *poster) {
  if (poster != nullptr) {
    lv_img_set_src(s_poster, poster);
    lv_obj_clear_flag(s_poster, LV_OBJ_FLAG_HIDDEN);
  } else {
    lv_obj_add_flag(s_poster, LV_OBJ_FLAG_HIDDEN);
  }
}

static void refresh_now_playing(uint32_t now) {
  const mq_screen_t *screen = s_model.screen;
  const mq_session_t *s = mq_screen_selected(screen);
  char text[160], a[24], b[24];
  if (s == nullptr) {
    set_text(s_index, "NOW PLAYING");
    set_text(s_title, screen->has_frame ? "Nothing playing" : "Connecting...");
    set_text(s_meta, "");
    set_text(s_time, "");
    lv_bar_set_value(s_bar, 0, LV_ANIM_OFF);
    lv_obj_add_flag(s_pause_btn, LV_OBJ_FLAG_HIDDEN);
    lv_obj_add_flag(s_stop_btn, LV_OBJ_FLAG_HIDDEN);
  } else {
    snprintf(text, sizeof(text), "NOW PLAYING  %u/%u%s", screen->selected + 1u, screen->frame.count,
             mq_screen_stale(screen, now) ? "  (stale)" : "");
    set_text(s_index, text);
    set_text(s_title, s->title);
    snprintf(text, sizeof(text), "%s - %s", s->user, mq_state_name((mq_state_t)s->state));
    set_text(s_meta, text);
    const mq_progress_t p = mq_screen_progress(screen, s, now);
    lv_bar_set_value(s_bar, p.permille, LV_ANIM_OFF);
    mq_format_duration(a, sizeof(a), p.pos_ms / 1000u);
    mq_format_duration(b, sizeof(b), p.dur_s);
    snprintf(text, sizeof(text), p.dur_s > 0 ? "%s / %s" : "%s", a, b);
    set_text(s_time, text);
    const bool controllable = (s->flags & MQ_SESSION_ID_TOO_LONG) == 0;
    const bool busy = s_model.cmd->status == MQ_CMD_PENDING;
    for (lv_obj_t *btn : {s_pause_btn, s_stop_btn}) {
      lv_obj_clear_flag(btn, LV_OBJ_FLAG_HIDDEN);
      if (controllable && !busy) lv_obj_clear_state(btn, LV_STATE_DISABLED);
      else lv_obj_add_state(btn, LV_STATE_DISABLED);
    }
    set_text(s_pause_label, s->state == MQ_STATE_PAUSED ? "Resume" : "Pause");
  }
  mq_cmd_describe(s_model.cmd, text, sizeof(text));
  set_text(s_status, text);
}

static void refresh_system() {
  const mq_screen_t *screen = s_model.screen;
  if (!screen->has_frame) return;
  const mq_system_t &sys = screen->frame.system;
  char v[24], text[48];
  mq_format_tenths(v, sizeof(v), sys.cpu_tenths);
  snprintf(text, sizeof(text), "CPU  %s %%", v);
  set_text(s_system[0], text);
  if (sys.has_temp) mq_format_tenths(v, sizeof(v), sys.temp_tenths);
  snprintf(text, sizeof(text), "Temp  %s", sys.has_temp ? v : "n/a");
  set_text(s_system[1], text);
  mq_format_tenths(v, sizeof(v), sys.ram_tenths);
  snprintf(text, sizeof(text), "RAM  %s %%", v);
  set_text(s_system[2], text);
  mq_format_tenths(v, sizeof(v), sys.disk_tenths);
  snprintf(text, sizeof(text), "Disk  %s %%", v);
  set_text(s_system[3], text);
  mq_format_rate(v, sizeof(v), sys.down_bps);
  snprintf(text, sizeof(text), "Down  %s", v);
  set_text(s_system[4], text);
  mq_format_rate(v, sizeof(v), sys.up_bps);
  snprintf(text, sizeof(text), "Up  %s", v);
  set_text(s_system[5], text);
}

void ui_refresh(uint32_t now) {
  const mq_page_t page = s_model.screen->page;
  if (page != s_shown) {
    const bool forward = (page + MQ_PAGE_COUNT - s_shown) % MQ_PAGE_COUNT == 1;
    lv_scr_load_anim(s_pages[page], forward ? LV_SCR_LOAD_ANIM_MOVE_LEFT : LV_SCR_LOAD_ANIM_MOVE_RIGHT,
                     200, 0, false);
    s_shown = page;
  }
  switch (page) {
    case MQ_PAGE_NOW_PLAYING: refresh_now_playing(now); break;
    case MQ_PAGE_SYSTEM: refresh_system(); break;
    case MQ_PAGE_NETWORK: {
      static char text[1024];
      mq_view_t view = {s_model.screen, s_model.conn, s_model.cmd, s_model.net, now};
      mq_render_page(&view, MQ_PAGE_NETWORK, text, sizeof(text));
      set_text(s_network, text);
      break;
    }
    case MQ_PAGE_COUNT: break;
  }
}
