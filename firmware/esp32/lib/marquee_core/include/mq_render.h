/*
 * The pages as text: what the LVGL layer draws, line by line, in a form the host harness prints
 * and the tests read. The LVGL layer fills its labels from the same pieces (mq_format.h), so the
 * two cannot tell different stories.
 */
#ifndef MQ_RENDER_H
#define MQ_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mq_command.h"
#include "mq_conn.h"
#include "mq_screen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the UI layer knows about the network (Wi-Fi on the panel, "host" in the harness). */
typedef struct {
  bool link_up;
  const char *ssid;
  int rssi_dbm; /* 0 when unknown */
  const char *ip;
  const char *server; /* "host:port" */
} mq_network_info_t;

typedef struct {
  const mq_screen_t *screen;
  const mq_conn_t *conn;
  const mq_commander_t *cmd; /* may be NULL */
  const mq_network_info_t *net;
  uint32_t now;
} mq_view_t;

/** The page `page` as lines of text (no trailing newline). Returns the length. */
size_t mq_render_page(const mq_view_t *view, mq_page_t page, char *dst, size_t dst_size);

#ifdef __cplusplus
}
#endif

#endif /* MQ_RENDER_H */
