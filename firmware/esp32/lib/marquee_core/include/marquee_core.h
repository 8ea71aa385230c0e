/*
 * The Marquee panel core: everything the WT32-SC01 Plus firmware decides, in portable C11 with no
 * Arduino or ESP-IDF header (cJSON aside, which both the panel and Debian ship). The LVGL layer in
 * src/ and the host harness in host/ are two thin drivers of the same code; the host tests under
 * host/tests exercise it with AddressSanitizer and UndefinedBehaviorSanitizer.
 *
 * Memory (all static, nothing from the heap), on the ESP32-S3:
 *   mq_json_storage_t   MQ_JSON_ARENA_BYTES  13 072 B  parse arena shared by frames and responses
 *   mq_screen_t         2 frames + state     ~4.8 KB    shown frame + scratch frame
 *   mq_commander_t      tokens + command     ~2.5 KB
 *   mq_http_request_t                        ~2.5 KB
 *   mq_conn_t                                ~100 B
 * (host/tests/test_memory.cpp checks the x86-64 sizes, which are a little larger.)
 */
#ifndef MARQUEE_CORE_H
#define MARQUEE_CORE_H

#include "marquee_limits.h"
#include "mq_backlight.h"
#include "mq_backoff.h"
#include "mq_clock.h"
#include "mq_command.h"
#include "mq_conn.h"
#include "mq_format.h"
#include "mq_frame.h"
#include "mq_heartbeat.h"
#include "mq_http.h"
#include "mq_jpeg.h"
#include "mq_json.h"
#include "mq_poster.h"
#include "mq_render.h"
#include "mq_screen.h"
#include "mq_status.h"
#include "mq_utf8.h"

#endif /* MARQUEE_CORE_H */
