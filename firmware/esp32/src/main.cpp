// Marquee "Now Playing" panel for the WT32-SC01 Plus: the thin Arduino layer over the portable
// core in lib/marquee_core. It moves bytes between the core and the hardware (Wi-Fi, the
// WebSocket library, HTTP, the JPEG decoder, LVGL) and decides nothing itself: what to parse,
// when to reconnect or ping, which request a tap sends and what the screen says are the core's,
// tested on Linux by `npm run test:firmware`.
//
// NOT COMPILED IN CI: PlatformIO's ESP32 toolchain cannot be downloaded on those machines. Build
// with `pio run` (see ../README.md).
#include <Arduino.h>
#include <HTTPClient.h>
#include <TJpg_Decoder.h>
#include <WebSocketsClient.h>
#include <WiFi.h>
#include <esp_random.h>
#include <time.h>

#if __has_include("marquee_config.h")
#include "marquee_config.h"
#else
#error "Copy include/marquee_config.example.h to include/marquee_config.h and fill it in (README.md)"
#endif

#include "display.hpp"
#include "ui.h"

// The core's state: static, allocated once (see marquee_core.h for the budget).
static mq_json_storage_t s_storage;
static mq_json_arena_t s_arena;
static mq_screen_t s_screen;
static mq_conn_t s_conn;
static mq_commander_t s_cmd;
static mq_network_info_t s_net;
static char s_ip[16];
static char s_server[80];
static char s_ws_path[MQ_HTTP_PATH_BYTES + 3 * MQ_AUTH_TOKEN_BYTES];

static PanelDisplay s_tft;
static WebSocketsClient s_ws;

// HTTP (commands, posters) runs in its own task, so a control request that waits up to 5 s for
// the web player never stalls the screen or the socket. Only this loop touches the core: the
// task gets a copy of one request at a time and hands back the status and body bytes.
struct HttpJob {
  mq_http_request_t req;
  bool poster;
};
struct HttpResult {
  uint32_t seq;
  bool poster;
  int status;  // <= 0: transport error
  size_t len;
};
static QueueHandle_t s_jobs;
static QueueHandle_t s_results;
static bool s_http_ready;   // the queues and the task exist
static uint8_t s_reply[MQ_HTTP_BODY_BYTES];  // command answers, owned by the job in flight
static uint8_t *s_body;     // MQ_POSTER_MAX_BYTES in PSRAM, owned by the poster job in flight
static bool s_http_busy;
static HttpJob s_job;       // static: ~2.5 KB is too much for the loop task's stack

// The poster canvas, MQ_POSTER_CANVAS_PIXELS RGB565 in PSRAM; LVGL is told the canvas's size and
// the core's layout centres each poster in it (mq_poster.h). Both PSRAM buffers or neither: when
// either allocation fails the panel runs without posters (s_posters false).
static uint16_t *s_poster_pixels;
static bool s_posters;
static mq_poster_layout_t s_layout;
static lv_img_dsc_t s_poster;
static char s_poster_shown[MQ_THUMB_PATH_BYTES + 1];
static char s_poster_pending[MQ_THUMB_PATH_BYTES + 1];

static uint32_t core_random(void *) { return esp_random(); }

static bool ws_wanted() {
  return s_conn.state == MQ_CONN_CONNECTING || s_conn.state == MQ_CONN_OPEN ||
         s_conn.state == MQ_CONN_LIVE;
}

static void on_ws(WStype_t type, uint8_t *payload, size_t length) {
  const uint32_t now = millis();
  switch (type) {
    case WStype_CONNECTED: mq_conn_on_open(&s_conn, now); break;
    case WStype_TEXT: {
      const mq_status_t status =
          mq_screen_on_message(&s_screen, &s_arena, reinterpret_cast<const char *>(payload), length, now);
      mq_conn_on_frame(&s_conn, now, status == MQ_OK);
      if (status != MQ_OK) Serial.printf("rejected frame: %s\n", mq_status_text(status));
      ui_refresh(now);
      break;
    }
    case WStype_PING:  // the library answers it; it is still a sign of life
    case WStype_PONG: mq_conn_on_pong(&s_conn, now); break;
    case WStype_DISCONNECTED:
      if (ws_wanted()) mq_conn_on_closed(&s_conn, now);
      break;
    default: break;
  }
}

static void http_task(void *) {
  for (;;) {
    HttpJob job;
    if (xQueueReceive(s_jobs, &job, portMAX_DELAY) != pdTRUE) continue;
    HttpResult result = {job.req.seq, job.poster, 0, 0};
    HTTPClient http;
    http.setTimeout(MQ_CONTROL_TIMEOUT_MS + MQ_CONTROL_GRACE_MS);
    if (http.begin(MARQUEE_SERVER_HOST, MARQUEE_SERVER_PORT, job.req.path)) {
      if (job.req.authorization[0] != '\0') http.addHeader("Authorization", job.req.authorization);
      if (job.req.content_type != nullptr) http.addHeader("Content-Type", job.req.content_type);
      result.status = strcmp(job.req.method, "GET") == 0
                          ? http.GET()
                          : http.POST(reinterpret_cast<uint8_t *>(job.req.body), job.req.body_len);
      const size_t cap = job.poster ? MQ_POSTER_MAX_BYTES : sizeof(s_reply);
      uint8_t *const into = job.poster ? s_body : s_reply;
      const int size = http.getSize();  // -1: chunked or unknown
      if (result.status > 0 && size > 0 && static_cast<size_t>(size) <= cap) {
        WiFiClient *stream = http.getStreamPtr();
        const uint32_t until = millis() + MQ_CONTROL_TIMEOUT_MS;
        while (result.len < static_cast<size_t>(size) && static_cast<int32_t>(millis() - until) < 0) {
          const int n = stream->read(into + result.len, size - result.len);
          if (n > 0) result.len += n;
          else delay(2);
        }
      }
    }
    http.end();
    xQueueSend(s_results, &result, portMAX_DELAY);
  }
}

static bool poster_output(int16_t x, int16_t y, uint16_t w, uint16_t h, uint16_t *bitmap) {
  return mq_poster_blit(&s_layout, s_poster_pixels, MQ_POSTER_CANVAS_PIXELS, x, y, w, h, bitmap);
}

static void show_poster(const uint8_t *jpeg, size_t len) {
  mq_jpeg_info_t info;
  const mq_jpeg_result_t check = mq_jpeg_probe(jpeg, len, &info);
  if (check != MQ_JPEG_OK) {
    Serial.printf("poster refused: %s\n", mq_jpeg_result_name(check));
    ui_set_poster(nullptr);
    return;
  }
  if (!mq_poster_layout(info.width, info.height, &s_layout)) {
    ui_set_poster(nullptr);
    return;
  }
  ui_set_poster(nullptr);  // hidden until decoded: a failed decode shows none, not half of one
  mq_poster_clear(&s_layout, s_poster_pixels, MQ_POSTER_CANVAS_PIXELS, 0);
  if (TJpgDec.drawJpg(0, 0, jpeg, len) != JDR_OK) {
    Serial.println("poster refused: decoding failed");
    return;
  }
  s_poster.header.w = s_layout.canvas_w;  // the canvas, whose rows are s_layout.stride apart
  s_poster.header.h = s_layout.canvas_h;
  s_poster.data_size = static_cast<uint32_t>(s_layout.stride) * s_layout.canvas_h * 2u;
  ui_set_poster(&s_poster);
}

static void pump_http(uint32_t now) {
  HttpResult result;
  if (s_http_busy && xQueueReceive(s_results, &result, 0) == pdTRUE) {
    s_http_busy = false;
    if (!result.poster) {
      if (result.status > 0) {
        mq_cmd_on_response(&s_cmd, result.seq, result.status,
                           reinterpret_cast<const char *>(s_reply), result.len, now);
      } else {
        mq_cmd_on_network_error(&s_cmd, result.seq, now);
      }
      ui_refresh(now);
    } else {
      if (result.status == 200 && result.len > 0) show_poster(s_body, result.len);
      memcpy(s_poster_shown, s_poster_pending, sizeof(s_poster_shown));
    }
  }
  if (s_http_busy) return;
  s_job.poster = false;
  if (!mq_cmd_next_request(&s_cmd, &s_job.req)) {
    const mq_session_t *s = mq_screen_selected(&s_screen);
    const char *thumb = s != nullptr ? s->thumb : "";
    if (!s_posters || strcmp(thumb, s_poster_shown) == 0) return;
    if (thumb[0] == '\0') {
      ui_set_poster(nullptr);
      s_poster_shown[0] = '\0';
      return;
    }
    if (mq_http_thumb_request(&s_job.req, thumb) != MQ_OK) return;
    memcpy(s_poster_pending, thumb, sizeof(s_poster_pending));
    s_job.poster = true;
  }
  s_http_busy = xQueueSend(s_jobs, &s_job, 0) == pdTRUE;
}

static void on_command(mq_action_t action) {
  const mq_session_t *s = mq_screen_selected(&s_screen);
  if (s == nullptr || (s->flags & MQ_SESSION_ID_TOO_LONG)) return;
  mq_cmd_begin(&s_cmd, action, s->id, millis());
  ui_refresh(millis());  // "Pausing…" at once; the acknowledgement follows
}

static void update_backlight(uint32_t now) {
  static const mq_backlight_t kBacklight = {MARQUEE_NIGHT_FROM_HOUR, MARQUEE_NIGHT_TO_HOUR,
                                            MARQUEE_BACKLIGHT_DAY, MARQUEE_BACKLIGHT_NIGHT};
  const time_t t = static_cast<time_t>(mq_screen_server_time(&s_screen, now));
  int hour = -1;
  struct tm local;
  if (t > 0 && localtime_r(&t, &local) != nullptr) hour = local.tm_hour;
  display_backlight(s_tft, mq_backlight_level(&kBacklight, hour));
}

void setup() {
  Serial.begin(115200);
  setenv("TZ", MARQUEE_TZ, 1);
  tzset();

  mq_json_arena_init(&s_arena, s_storage.bytes, sizeof(s_storage.bytes));
  mq_screen_init(&s_screen);
  mq_cmd_init(&s_cmd, &s_arena);
  mq_cmd_set_credentials(&s_cmd, MARQUEE_CONTROL_TOKEN, MARQUEE_CONTROL_USER, MARQUEE_CONTROL_PASSWORD);
  mq_conn_init(&s_conn, mq_conn_default_config(), core_random, nullptr);
  mq_ws_path(s_ws_path, sizeof(s_ws_path), MARQUEE_DISPLAY_TOKEN);
  snprintf(s_server, sizeof(s_server), "%s:%u", MARQUEE_SERVER_HOST, (unsigned)MARQUEE_SERVER_PORT);
  s_net = {false, MARQUEE_WIFI_SSID, 0, s_ip, s_server};

  s_body = static_cast<uint8_t *>(heap_caps_malloc(MQ_POSTER_MAX_BYTES, MALLOC_CAP_SPIRAM));
  s_poster_pixels = static_cast<uint16_t *>(
      heap_caps_malloc(MQ_POSTER_CANVAS_PIXELS * sizeof(uint16_t), MALLOC_CAP_SPIRAM));
  s_posters = s_body != nullptr && s_poster_pixels != nullptr;
  if (!s_posters) {  // no PSRAM (or too little): everything but the poster still works
    Serial.println("no PSRAM for posters: running without them");
    heap_caps_free(s_body);
    heap_caps_free(s_poster_pixels);
    s_body = nullptr;
    s_poster_pixels = nullptr;
  }
  s_poster.header.cf = LV_IMG_CF_TRUE_COLOR;
  s_poster.data = reinterpret_cast<const uint8_t *>(s_poster_pixels);
  TJpgDec.setJpgScale(1);
  TJpgDec.setSwapBytes(true);  // LV_COLOR_16_SWAP
  TJpgDec.setCallback(poster_output);

  if (!display_begin(s_tft)) {
    // Not even one small draw buffer: nothing can be shown. Say so on the serial port and stop
    // rather than draw through a null buffer.
    for (;;) {
      Serial.println("display: no internal RAM for LVGL's draw buffer; halted");
      delay(5000);
    }
  }
  ui_begin(UiModel{&s_screen, &s_conn, &s_cmd, &s_net}, on_command);

  s_jobs = xQueueCreate(1, sizeof(HttpJob));
  s_results = xQueueCreate(1, sizeof(HttpResult));
  s_http_ready = s_jobs != nullptr && s_results != nullptr &&
                 xTaskCreatePinnedToCore(http_task, "http", 8192, nullptr, 1, nullptr, 0) == pdPASS;
  if (!s_http_ready) Serial.println("no memory for the HTTP task: commands and posters are off");

  WiFi.mode(WIFI_STA);
  WiFi.setAutoReconnect(true);
  WiFi.begin(MARQUEE_WIFI_SSID, MARQUEE_WIFI_PASSWORD);
  s_ws.onEvent(on_ws);
  // Reconnecting is the core's decision (loop() below). The library also reconnects by itself
  // whenever loop() finds the socket down and its interval has passed; 0 made that every pass, a
  // flood of connects around the core's backoff. The guard (from the core) is long enough that it
  // never fires within one of the core's attempts.
  s_ws.setReconnectInterval(mq_conn_library_guard_ms(&s_conn));
  mq_conn_start(&s_conn, millis());
}

void loop() {
  const uint32_t now = millis();
  const bool link = WiFi.status() == WL_CONNECTED;
  if (link != s_net.link_up) {
    s_net.link_up = link;
    strlcpy(s_ip, link ? WiFi.localIP().toString().c_str() : "", sizeof(s_ip));
    if (!link && ws_wanted()) {
      s_ws.disconnect();
      mq_conn_on_closed(&s_conn, now);
    }
  }
  s_net.rssi_dbm = link ? WiFi.RSSI() : 0;

  if (link) {
    switch (mq_conn_tick(&s_conn, now)) {
      case MQ_CONN_NONE: break;
      case MQ_CONN_CONNECT:
        // begin() zeroes the library's last-failure time, so with the guard in place its first
        // connect would wait until millis() passed the guard: open this one attempt with the
        // interval at 0 for a single pass, then restore the guard (host/tests/test_conn.cpp
        // models this sequence against the library's gate).
        s_ws.begin(MARQUEE_SERVER_HOST, MARQUEE_SERVER_PORT, s_ws_path);
        s_ws.setReconnectInterval(0);
        s_ws.loop();
        s_ws.setReconnectInterval(mq_conn_library_guard_ms(&s_conn));
        break;
      case MQ_CONN_PING: s_ws.sendPing(); break;
      case MQ_CONN_CLOSE:
        s_ws.disconnect();
        mq_conn_on_closed(&s_conn, now);
        break;
    }
  }
  // Serviced only while the core wants a connection, so the library never reconnects by itself.
  if (ws_wanted()) s_ws.loop();

  mq_cmd_tick(&s_cmd, now);
  if (s_http_ready) pump_http(now);

  static uint32_t last_refresh, last_backlight;
  if (now - last_refresh >= 200) {
    last_refresh = now;
    ui_refresh(now);
  }
  if (now - last_backlight >= 60000 || last_backlight == 0) {
    last_backlight = now;
    update_backlight(now);
  }
  lv_timer_handler();
  delay(5);
}
