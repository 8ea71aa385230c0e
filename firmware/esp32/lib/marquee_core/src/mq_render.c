#include "mq_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mq_clock.h"
#include "mq_format.h"

typedef struct {
  char *dst;
  size_t size;
  size_t used;
} out_t;

static void put(out_t *out, const char *format, ...) {
  if (out->used + 1u >= out->size) return;
  va_list args;
  va_start(args, format);
  const int n = vsnprintf(out->dst + out->used, out->size - out->used, format, args);
  va_end(args);
  if (n < 0) return;
  out->used += (size_t)n < out->size - out->used ? (size_t)n : out->size - out->used - 1u;
}

static void now_playing(const mq_view_t *view, out_t *out) {
  const mq_screen_t *screen = view->screen;
  put(out, "NOW PLAYING");
  if (!screen->has_frame) {
    put(out, "\nWaiting for %s (%s)", view->net->server, mq_conn_state_name(view->conn->state));
    return;
  }
  const mq_session_t *s = mq_screen_selected(screen);
  if (s == NULL) {
    put(out, "\nNothing playing");
    if (screen->frame.more > 0) put(out, " (+%u more)", (unsigned)screen->frame.more);
  } else {
    put(out, "  %u/%u", (unsigned)screen->selected + 1u, (unsigned)screen->frame.count);
    if (screen->frame.more > 0) put(out, " (+%u more)", (unsigned)screen->frame.more);
    const mq_progress_t p = mq_screen_progress(screen, s, view->now);
    char pos[24], dur[24], pct[16], bar[24];
    mq_format_duration(pos, sizeof(pos), p.pos_ms / 1000u);
    mq_format_duration(dur, sizeof(dur), p.dur_s);
    mq_format_tenths(pct, sizeof(pct), p.permille);
    mq_format_bar(bar, sizeof(bar), p.permille);
    put(out, "\ntitle: %s", s->title);
    put(out, "\nuser: %s", s->user);
    put(out, "\nstate: %s", mq_state_name((mq_state_t)s->state));
    if (p.dur_s > 0) put(out, "\nprogress: %s / %s %s %s%%", pos, dur, bar, pct);
    else put(out, "\nprogress: %s %s %s%%", pos, bar, pct);
    put(out, "\nposter: %s", s->thumb[0] != '\0' ? s->thumb : "none");
    if (s->flags & MQ_SESSION_ID_TOO_LONG) put(out, "\ncontrols: unavailable (id too long)");
  }
  if (view->cmd != NULL && view->cmd->status != MQ_CMD_IDLE) {
    char text[128];
    mq_cmd_describe(view->cmd, text, sizeof(text));
    put(out, "\ncommand: %s", text);
  }
  if (mq_screen_stale(screen, view->now)) {
    put(out, "\nstale: no update for %u s", (unsigned)(mq_elapsed(view->now, screen->frame_rx) / 1000u));
  }
}

static void system_page(const mq_view_t *view, out_t *out) {
  const mq_screen_t *screen = view->screen;
  put(out, "SYSTEM");
  if (!screen->has_frame) {
    put(out, "\nNo data yet");
    return;
  }
  const mq_system_t *sys = &screen->frame.system;
  char cpu[16], ram[16], disk[16], temp[16], down[24], up[24];
  mq_format_tenths(cpu, sizeof(cpu), sys->cpu_tenths);
  mq_format_tenths(ram, sizeof(ram), sys->ram_tenths);
  mq_format_tenths(disk, sizeof(disk), sys->disk_tenths);
  mq_format_rate(down, sizeof(down), sys->down_bps);
  mq_format_rate(up, sizeof(up), sys->up_bps);
  if (sys->has_temp) mq_format_tenths(temp, sizeof(temp), sys->temp_tenths);
  put(out, "\ncpu: %s%%", cpu);
  put(out, "\ntemp: %s%s", sys->has_temp ? temp : "n/a", sys->has_temp ? " \xC2\xB0" "C" : "");
  put(out, "\nram: %s%%", ram);
  put(out, "\ndisk: %s%%", disk);
  put(out, "\ndown: %s", down);
  put(out, "\nup: %s", up);
  if (mq_screen_stale(screen, view->now)) put(out, "\nstale");
}

static void network_page(const mq_view_t *view, out_t *out) {
  const mq_network_info_t *net = view->net;
  const mq_conn_t *conn = view->conn;
  const mq_screen_t *screen = view->screen;
  put(out, "NETWORK");
  if (net->ssid != NULL && net->ssid[0] != '\0') {
    put(out, "\nwifi: %s %s", net->ssid, net->link_up ? "up" : "down");
    if (net->rssi_dbm != 0) put(out, " (%d dBm)", net->rssi_dbm);
  } else {
    put(out, "\nlink: %s", net->link_up ? "up" : "down");
  }
  if (net->ip != NULL && net->ip[0] != '\0') put(out, "\nip: %s", net->ip);
  put(out, "\nserver: %s %s", net->server, mq_conn_state_name(conn->state));
  if (conn->state == MQ_CONN_WAITING) {
    const uint32_t wait = mq_until(view->now, conn->retry_at);
    put(out, " (retry in %u.%u s)", (unsigned)(wait / 1000u), (unsigned)(wait % 1000u / 100u));
  }
  put(out, "\nconnections: %u, drops: %u", (unsigned)conn->connects, (unsigned)conn->drops);
  if (conn->last_close != MQ_CLOSE_NONE) put(out, " (last: %s)", mq_close_reason_name(conn->last_close));
  put(out, "\nframes: %u ok, %u rejected", (unsigned)screen->frames_ok,
      (unsigned)screen->frames_rejected);
  if (screen->frames_rejected > 0) {
    put(out, " (last: %s at %s)", mq_status_text(screen->last_error), screen->last_error_at.field);
  }
  if (screen->has_frame) put(out, "\nlast frame: %u bytes", (unsigned)screen->last_bytes);
}

size_t mq_render_page(const mq_view_t *view, mq_page_t page, char *dst, size_t dst_size) {
  if (dst == NULL || dst_size == 0) return 0;
  out_t out = {dst, dst_size, 0};
  dst[0] = '\0';
  switch (page) {
    case MQ_PAGE_NOW_PLAYING: now_playing(view, &out); break;
    case MQ_PAGE_SYSTEM: system_page(view, &out); break;
    case MQ_PAGE_NETWORK: network_page(view, &out); break;
    case MQ_PAGE_COUNT: break;
  }
  return out.used;
}
