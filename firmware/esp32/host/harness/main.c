/*
 * marquee-harness: the panel's core on Linux. It connects to a running Marquee server's
 * `/api/dashboard/ws?profile=compact` exactly as the panel does (same parser, same connection
 * policy, same commands) and prints the screen it would draw, as text, after every frame. Lines
 * on stdin stand in for the touch screen:
 *
 *   swipe left|right|up|down   change page / selected session
 *   pause|resume|stop [ID]     command the selected session (or ID)
 *   page | pages               print the current page / all three
 *   quit
 *
 * Usage: marquee-harness --host H --port P [--display-token T] [--token T | --user U --password P]
 *          [--fetch-posters] [--all-pages] [--max-seconds N] [--verbose]
 *          [--heartbeat INTERVAL,TIMEOUT,MISSES] [--backoff INITIAL,MAX[,MIN]]
 *          [--connect-timeout MS] [--clock-start MS]
 *   --clock-start starts the 32-bit clock there, e.g. just before it wraps; --backoff without MIN
 *   keeps the panel's floor-to-initial ratio.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_client.h"
#include "marquee_core.h"
#include "ws_client.h"

typedef struct {
  const char *host;
  uint16_t port;
  const char *display_token;
  const char *token;
  const char *user;
  const char *password;
  bool fetch_posters;
  bool all_pages;
  bool verbose;
  long max_seconds;
  uint32_t clock_start;
  mq_conn_config_t conn;
} options_t;

/* Everything the panel keeps, statically, as on the device. */
static mq_json_storage_t g_storage;
static mq_json_arena_t g_arena;
static mq_screen_t g_screen;
static mq_conn_t g_conn;
static mq_commander_t g_cmd;
static ws_client_t g_ws;
static http_client_t g_http;
static options_t g_opt;
static char g_server[300];
static char g_poster_done[MQ_THUMB_PATH_BYTES + 1];
static char g_poster_pending[MQ_THUMB_PATH_BYTES + 1];
static enum { HTTP_FOR_NOTHING, HTTP_FOR_COMMAND, HTTP_FOR_POSTER } g_http_for;
static uint32_t g_http_seq;
static mq_cmd_status_t g_cmd_reported;
static uint32_t g_cmd_seq_reported;
static uint64_t g_clock_base;

static uint32_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
  return (uint32_t)(ms - g_clock_base + g_opt.clock_start);
}

static void say(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vprintf(format, args);
  va_end(args);
  putchar('\n');
  fflush(stdout);
}

static uint32_t random_u32(void *context) {
  (void)context;
  uint32_t value = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (f == NULL || fread(&value, sizeof(value), 1, f) != 1) value = (uint32_t)rand();
  if (f != NULL) fclose(f);
  return value;
}

static void print_page(mq_page_t page, uint32_t now) {
  static char text[4096];
  mq_network_info_t net = {true, "", 0, "", g_server};
  mq_view_t view = {&g_screen, &g_conn, &g_cmd, &net, now};
  mq_render_page(&view, page, text, sizeof(text));
  say("=== screen: %s (frame %u) ===\n%s\n=== end ===", mq_page_name(page),
      (unsigned)g_screen.frames_ok, text);
}

static void print_screen(uint32_t now) {
  if (g_opt.all_pages) {
    for (int p = 0; p < MQ_PAGE_COUNT; p++) print_page((mq_page_t)p, now);
  } else {
    print_page(g_screen.page, now);
  }
}

static void report_command(void) {
  if (g_cmd.status == g_cmd_reported && g_cmd.seq == g_cmd_seq_reported) return;
  g_cmd_reported = g_cmd.status;
  g_cmd_seq_reported = g_cmd.seq;
  char text[128];
  mq_cmd_describe(&g_cmd, text, sizeof(text));
  say("command %s %s: %s (HTTP %d)%s%s", mq_action_name(g_cmd.action), g_cmd.session_id,
      mq_cmd_status_name(g_cmd.status), g_cmd.http_status, text[0] ? " " : "", text);
}

static void connection_closed(uint32_t now, const char *why) {
  const uint32_t delay = mq_conn_on_closed(&g_conn, now);
  say("disconnected (%s: %s); retry in %u ms", mq_close_reason_name(g_conn.last_close), why,
      (unsigned)delay);
}

static void on_ws_events(uint32_t now) {
  for (;;) {
    const ws_event_t e = ws_client_next(&g_ws);
    switch (e.type) {
      case WS_EVENT_NONE: return;
      case WS_EVENT_TEXT: {
        const mq_status_t status =
            mq_screen_on_message(&g_screen, &g_arena, (const char *)e.data, e.len, now);
        mq_conn_on_frame(&g_conn, now, status == MQ_OK);
        if (status == MQ_OK) {
          say("frame %u: %u bytes", (unsigned)g_screen.frames_ok, (unsigned)e.len);
          print_screen(now);
        } else {
          say("rejected frame (%u bytes): %s at %s", (unsigned)e.len, mq_status_text(status),
              g_screen.last_error_at.field);
        }
        break;
      }
      case WS_EVENT_BINARY: say("ignored a binary message (%u bytes)", (unsigned)e.len); break;
      case WS_EVENT_PING:
        /* The server's own heartbeat: answer, and count it as a sign of life. */
        ws_client_send(&g_ws, WS_OP_PONG, e.data, e.len);
        mq_conn_on_pong(&g_conn, now);
        if (g_opt.verbose) say("ping from server");
        break;
      case WS_EVENT_PONG:
        mq_conn_on_pong(&g_conn, now);
        if (g_opt.verbose) say("pong");
        break;
      case WS_EVENT_CLOSE:
        ws_client_close(&g_ws, e.close_code == 1005 ? 1000 : e.close_code);
        connection_closed(now, "close frame");
        return;
      case WS_EVENT_ERROR:
        ws_client_close(&g_ws, 1002);
        connection_closed(now, "protocol error");
        return;
      case WS_EVENT_TOO_BIG:
        ws_client_close(&g_ws, 1009);
        connection_closed(now, "message too big");
        return;
    }
  }
}

static void start_http(const mq_http_request_t *req, uint32_t now) {
  static char bytes[4096];
  const size_t len = mq_http_serialize(req, g_opt.host, g_opt.port, bytes, sizeof(bytes));
  if (len == 0 || !http_client_start(&g_http, g_opt.host, g_opt.port, bytes, len, now)) {
    if (g_http_for == HTTP_FOR_COMMAND) mq_cmd_on_network_error(&g_cmd, g_http_seq, now);
    http_client_reset(&g_http);
    g_http_for = HTTP_FOR_NOTHING;
  }
}

static void next_http(uint32_t now) {
  if (g_http.phase != HTTP_IDLE) return;
  mq_http_request_t req;
  if (mq_cmd_next_request(&g_cmd, &req)) {
    g_http_for = HTTP_FOR_COMMAND;
    g_http_seq = req.seq;
    if (g_opt.verbose) say("http %s %s", req.method, req.path);
    start_http(&req, now);
    return;
  }
  if (!g_opt.fetch_posters || g_poster_pending[0] != '\0') return;
  const mq_session_t *s = mq_screen_selected(&g_screen);
  if (s == NULL || s->thumb[0] == '\0' || strcmp(s->thumb, g_poster_done) == 0) return;
  if (mq_http_thumb_request(&req, s->thumb) != MQ_OK) return;
  memcpy(g_poster_pending, s->thumb, sizeof(g_poster_pending));
  g_http_for = HTTP_FOR_POSTER;
  start_http(&req, now);
}

static void http_finished(uint32_t now) {
  const bool ok = g_http.phase == HTTP_DONE;
  if (g_http_for == HTTP_FOR_COMMAND) {
    if (ok) {
      mq_cmd_on_response(&g_cmd, g_http_seq, g_http.parsed.status, g_http.parsed.body,
                         g_http.parsed.body_len, now);
    } else {
      mq_cmd_on_network_error(&g_cmd, g_http_seq, now);
    }
  } else if (g_http_for == HTTP_FOR_POSTER) {
    if (!ok) {
      say("poster %s: download failed", g_poster_pending);
    } else if (g_http.parsed.status != 200) {
      say("poster %s: HTTP %d", g_poster_pending, g_http.parsed.status);
    } else {
      mq_jpeg_info_t info;
      const mq_jpeg_result_t r =
          mq_jpeg_probe((const uint8_t *)g_http.parsed.body, g_http.parsed.body_len, &info);
      say("poster %s: %s, SOF%u %ux%u, %u components, %u bytes", g_poster_pending,
          r == MQ_JPEG_OK ? "baseline JPEG" : mq_jpeg_result_name(r), (unsigned)info.sof,
          (unsigned)info.width, (unsigned)info.height, (unsigned)info.components,
          (unsigned)g_http.parsed.body_len);
    }
    memcpy(g_poster_done, g_poster_pending, sizeof(g_poster_done));
    g_poster_pending[0] = '\0';
  }
  http_client_reset(&g_http);
  g_http_for = HTTP_FOR_NOTHING;
}

static bool on_line(char *line, uint32_t now) {
  char *save = NULL;
  const char *word = strtok_r(line, " \t\r\n", &save);
  if (word == NULL) return true;
  const char *arg = strtok_r(NULL, " \t\r\n", &save);
  if (strcmp(word, "quit") == 0) return false;
  if (strcmp(word, "swipe") == 0 && arg != NULL) {
    const mq_swipe_t swipe = strcmp(arg, "left") == 0    ? MQ_SWIPE_LEFT
                             : strcmp(arg, "right") == 0 ? MQ_SWIPE_RIGHT
                             : strcmp(arg, "up") == 0    ? MQ_SWIPE_UP
                                                         : MQ_SWIPE_DOWN;
    mq_screen_swipe(&g_screen, swipe);
    print_page(g_screen.page, now);
  } else if (strcmp(word, "page") == 0) {
    print_page(g_screen.page, now);
  } else if (strcmp(word, "pages") == 0) {
    for (int p = 0; p < MQ_PAGE_COUNT; p++) print_page((mq_page_t)p, now);
  } else if (strcmp(word, "pause") == 0 || strcmp(word, "resume") == 0 ||
             strcmp(word, "stop") == 0) {
    const mq_action_t action = word[0] == 'p'   ? MQ_ACTION_PAUSE
                               : word[0] == 'r' ? MQ_ACTION_RESUME
                                                : MQ_ACTION_STOP;
    const mq_session_t *s = mq_screen_selected(&g_screen);
    if (arg == NULL && (s == NULL || (s->flags & MQ_SESSION_ID_TOO_LONG))) {
      say("command %s: no session to control", word);
      return true;
    }
    const mq_status_t status = mq_cmd_begin(&g_cmd, action, arg != NULL ? arg : s->id, now);
    if (status != MQ_OK) say("command %s: %s", word, mq_status_text(status));
    report_command();
  } else {
    say("unknown input: %s", word);
  }
  return true;
}

static bool parse_triple(const char *text, uint32_t *a, uint32_t *b, uint32_t *c) {
  unsigned long x = 0, y = 0, z = 0;
  const int n = sscanf(text, "%lu,%lu,%lu", &x, &y, &z);
  if (n < 2) return false;
  *a = (uint32_t)x;
  *b = (uint32_t)y;
  if (c != NULL) {
    if (n < 3) return false;
    *c = (uint32_t)z;
  }
  return true;
}

static int usage(const char *problem) {
  fprintf(stderr,
          "marquee-harness: %s\nusage: marquee-harness --host H --port P [--display-token T] "
          "[--token T | --user U --password P] [--fetch-posters] [--all-pages] [--max-seconds N] "
          "[--heartbeat I,T,M] [--backoff INITIAL,MAX[,MIN]] [--connect-timeout MS] "
          "[--clock-start MS] [--verbose]\n",
          problem);
  return 2;
}

static int parse_args(int argc, char **argv) {
  g_opt.host = "127.0.0.1";
  g_opt.port = 8000;
  g_opt.conn = mq_conn_default_config();
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    const bool has_value = v != NULL;
    if (strcmp(a, "--fetch-posters") == 0) g_opt.fetch_posters = true;
    else if (strcmp(a, "--all-pages") == 0) g_opt.all_pages = true;
    else if (strcmp(a, "--verbose") == 0) g_opt.verbose = true;
    else if (!has_value) return usage(a);
    else if (strcmp(a, "--host") == 0) g_opt.host = argv[++i];
    else if (strcmp(a, "--port") == 0) g_opt.port = (uint16_t)atoi(argv[++i]);
    else if (strcmp(a, "--display-token") == 0) g_opt.display_token = argv[++i];
    else if (strcmp(a, "--token") == 0) g_opt.token = argv[++i];
    else if (strcmp(a, "--user") == 0) g_opt.user = argv[++i];
    else if (strcmp(a, "--password") == 0) g_opt.password = argv[++i];
    else if (strcmp(a, "--max-seconds") == 0) g_opt.max_seconds = atol(argv[++i]);
    else if (strcmp(a, "--clock-start") == 0) g_opt.clock_start = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(a, "--connect-timeout") == 0) g_opt.conn.connect_timeout_ms = (uint32_t)atol(argv[++i]);
    else if (strcmp(a, "--heartbeat") == 0) {
      mq_heartbeat_config_t *h = &g_opt.conn.heartbeat;
      if (!parse_triple(argv[++i], &h->interval_ms, &h->pong_timeout_ms, &h->max_misses)) {
        return usage("--heartbeat wants INTERVAL,TIMEOUT,MISSES");
      }
    } else if (strcmp(a, "--backoff") == 0) {
      /* INITIAL,MAX[,MIN]: without MIN the floor keeps the panel's ratio to INITIAL (1000:5000),
       * so a test that shortens the curve to milliseconds is not held to the 1 s floor. */
      mq_backoff_t *b = &g_opt.conn.backoff;
      uint32_t floor_ms = 0;
      if (!parse_triple(argv[++i], &b->initial_ms, &b->max_ms, NULL)) {
        return usage("--backoff wants INITIAL,MAX[,MIN]");
      }
      if (parse_triple(argv[i], &b->initial_ms, &b->max_ms, &floor_ms)) {
        b->min_ms = floor_ms;
      } else {
        const uint64_t scaled = (uint64_t)b->initial_ms * MQ_RECONNECT_MIN_MS;
        b->min_ms = (uint32_t)(scaled / MQ_RECONNECT_INTERVAL_MS);
      }
    } else {
      return usage(a);
    }
  }
  if (g_opt.port == 0) return usage("bad --port");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  const int bad = parse_args(argc, argv);
  if (bad != 0) return bad;
  {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    g_clock_base = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
  }
  snprintf(g_server, sizeof(g_server), "%s:%u", g_opt.host, (unsigned)g_opt.port);

  mq_json_arena_init(&g_arena, g_storage.bytes, sizeof(g_storage.bytes));
  mq_screen_init(&g_screen);
  mq_cmd_init(&g_cmd, &g_arena);
  if (mq_cmd_set_credentials(&g_cmd, g_opt.token, g_opt.user, g_opt.password) != MQ_OK) {
    return usage("credentials too long");
  }
  mq_conn_init(&g_conn, g_opt.conn, random_u32, NULL);
  ws_client_init(&g_ws);
  http_client_init(&g_http);
  char path[MQ_HTTP_PATH_BYTES + MQ_AUTH_TOKEN_BYTES * 3];
  if (mq_ws_path(path, sizeof(path), g_opt.display_token) != MQ_OK) return usage("token too long");

  const uint32_t started = now_ms();
  say("marquee-harness: core limits: frame %u B, %u sessions, title %u B; arena %u B",
      MQ_JSON_BUDGET_BYTES, MQ_MAX_SESSIONS, MQ_TITLE_BYTES, (unsigned)sizeof(g_storage));
  mq_conn_start(&g_conn, started);
  bool running = true;
  char line[512];
  size_t line_len = 0;
  bool stdin_open = true;

  while (running) {
    uint32_t now = now_ms();
    if (g_opt.max_seconds > 0 && mq_elapsed(now, started) > (uint32_t)g_opt.max_seconds * 1000u) {
      say("max seconds reached");
      break;
    }
    switch (mq_conn_tick(&g_conn, now)) {
      case MQ_CONN_NONE: break;
      case MQ_CONN_CONNECT:
        say("connecting to ws://%s%s", g_server, path);
        if (!ws_client_start(&g_ws, g_opt.host, g_opt.port, path)) {
          connection_closed(now, g_ws.error);
        }
        break;
      case MQ_CONN_PING:
        if (g_opt.verbose) say("ping");
        ws_client_send(&g_ws, WS_OP_PING, "mq", 2);
        break;
      case MQ_CONN_CLOSE:
        ws_client_close(&g_ws, g_ws.phase == WS_OPEN ? 1001 : 0);
        connection_closed(now, g_conn.last_close == MQ_CLOSE_HEARTBEAT ? "pongs stopped"
                                                                       : "took too long");
        break;
    }
    mq_cmd_tick(&g_cmd, now);
    report_command();
    next_http(now);

    struct pollfd fds[3];
    nfds_t count = 0;
    int ws_index = -1, http_index = -1, in_index = -1;
    if (ws_client_events(&g_ws) != 0) {
      ws_index = (int)count;
      fds[count++] = (struct pollfd){g_ws.fd, ws_client_events(&g_ws), 0};
    }
    if (http_client_events(&g_http) != 0) {
      http_index = (int)count;
      fds[count++] = (struct pollfd){g_http.fd, http_client_events(&g_http), 0};
    }
    if (stdin_open) {
      in_index = (int)count;
      fds[count++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    }
    uint32_t wait = mq_until(now, mq_conn_next_deadline(&g_conn, now));
    if (wait > 100) wait = 100; /* also serves the command deadline and the page refresh */
    const int ready = poll(fds, count, (int)wait);
    if (ready < 0 && errno != EINTR) break;
    now = now_ms();

    if (ws_index >= 0 && fds[ws_index].revents != 0) {
      switch (ws_client_step(&g_ws, fds[ws_index].revents)) {
        case WS_STEP_NOTHING: break;
        case WS_STEP_OPENED:
          mq_conn_on_open(&g_conn, now);
          say("connected");
          on_ws_events(now);
          break;
        case WS_STEP_DATA: on_ws_events(now); break;
        case WS_STEP_FAILED: connection_closed(now, g_ws.error); break;
      }
    }
    if (http_index >= 0 && fds[http_index].revents != 0) {
      http_client_step(&g_http, fds[http_index].revents);
      if (g_http.phase == HTTP_DONE || g_http.phase == HTTP_FAILED) http_finished(now);
    }
    if (g_http.phase == HTTP_FAILED) http_finished(now);
    if (in_index >= 0 && fds[in_index].revents != 0) {
      const ssize_t n = read(STDIN_FILENO, line + line_len, sizeof(line) - 1 - line_len);
      if (n <= 0) {
        stdin_open = false;
      } else {
        line_len += (size_t)n;
        line[line_len] = '\0';
        char *newline;
        while (running && (newline = strchr(line, '\n')) != NULL) {
          *newline = '\0';
          running = on_line(line, now);
          const size_t used = (size_t)(newline - line) + 1u;
          memmove(line, newline + 1, line_len - used + 1u);
          line_len -= used;
        }
        if (line_len == sizeof(line) - 1) line_len = 0; /* an overlong line is dropped */
      }
    }
  }
  ws_client_close(&g_ws, 1000);
  http_client_reset(&g_http);
  say("bye");
  return 0;
}
