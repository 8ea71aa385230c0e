#define _POSIX_C_SOURCE 200809L
#include "ws_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_response.h"
#include "net.h"

static void random_bytes(uint8_t *out, size_t len) {
  FILE *f = fopen("/dev/urandom", "rb");
  if (f == NULL || fread(out, 1, len, f) != len) {
    for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(i * 131u + 7u);
  }
  if (f != NULL) fclose(f);
}

void ws_client_init(ws_client_t *ws) {
  memset(ws, 0, sizeof(*ws));
  ws->fd = -1;
}

static bool fail(ws_client_t *ws, const char *what) {
  snprintf(ws->error, sizeof(ws->error), "%s", what);
  if (ws->fd >= 0) close(ws->fd);
  ws->fd = -1;
  ws->phase = WS_CLOSED;
  return false;
}

bool ws_client_start(ws_client_t *ws, const char *host, uint16_t port, const char *path) {
  if (ws->fd >= 0) close(ws->fd);
  ws_client_init(ws);
  ws_reader_init(&ws->reader, ws->in, sizeof(ws->in), ws->msg, sizeof(ws->msg));
  uint8_t nonce[16];
  random_bytes(nonce, sizeof(nonce));
  ws_base64(nonce, sizeof(nonce), ws->key);
  const int n = snprintf(ws->request, sizeof(ws->request),
                         "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                         "Sec-WebSocket-Version: 13\r\nUser-Agent: marquee-harness\r\n\r\n",
                         path, host, (unsigned)port, ws->key);
  if (n < 0 || (size_t)n >= sizeof(ws->request)) return fail(ws, "request too long");
  ws->fd = net_connect_start(host, port);
  if (ws->fd < 0) return fail(ws, "connect failed");
  ws->phase = WS_CONNECTING;
  return true;
}

short ws_client_events(const ws_client_t *ws) {
  switch (ws->phase) {
    case WS_CONNECTING: return POLLOUT;
    case WS_HANDSHAKE:
    case WS_OPEN: return POLLIN;
    case WS_CLOSED: break;
  }
  return 0;
}

static ws_step_t failed(ws_client_t *ws, const char *what) {
  fail(ws, what);
  return WS_STEP_FAILED;
}

static ws_step_t handshake_read(ws_client_t *ws) {
  for (;;) {
    const size_t room = sizeof(ws->head) - ws->head_len;
    if (room == 0) return failed(ws, "upgrade response too long");
    const ssize_t n = recv(ws->fd, ws->head + ws->head_len, room, 0);
    if (n == 0) return failed(ws, "closed during the upgrade");
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return WS_STEP_NOTHING;
      return failed(ws, strerror(errno));
    }
    ws->head_len += (unsigned long)n;
    int status = 0;
    size_t head_len = 0;
    const int parsed = http_parse_head(ws->head, ws->head_len, &status, &head_len);
    if (parsed < 0) return failed(ws, "not an HTTP response");
    if (parsed > 0) continue;
    if (status != 101) {
      char message[64];
      snprintf(message, sizeof(message), "upgrade refused: HTTP %d", status);
      return failed(ws, message);
    }
    char value[64], expected[29];
    ws_accept_for(ws->key, expected);
    if (!http_header(ws->head, head_len, "Sec-WebSocket-Accept", value, sizeof(value)) ||
        strcmp(value, expected) != 0) {
      return failed(ws, "bad Sec-WebSocket-Accept");
    }
    if (!http_header(ws->head, head_len, "Upgrade", value, sizeof(value)) ||
        strcasecmp(value, "websocket") != 0) {
      return failed(ws, "no Upgrade: websocket");
    }
    /* Frames that came with the head belong to the reader. */
    size_t available = 0;
    uint8_t *space = ws_reader_space(&ws->reader, &available);
    const size_t extra = ws->head_len - head_len;
    if (extra > available) return failed(ws, "frame too large");
    memcpy(space, ws->head + head_len, extra);
    ws_reader_commit(&ws->reader, extra);
    ws->phase = WS_OPEN;
    return WS_STEP_OPENED;
  }
}

ws_step_t ws_client_step(ws_client_t *ws, short revents) {
  if (ws->phase == WS_CLOSED || revents == 0) return WS_STEP_NOTHING;
  if (ws->phase == WS_CONNECTING) {
    const int error = net_connect_result(ws->fd);
    if (error != 0) return failed(ws, strerror(error));
    if (net_write_all(ws->fd, ws->request, strlen(ws->request), 2000) != 0) {
      return failed(ws, "could not send the upgrade");
    }
    ws->phase = WS_HANDSHAKE;
    return WS_STEP_NOTHING;
  }
  if (ws->phase == WS_HANDSHAKE) return handshake_read(ws);
  /* WS_OPEN: read what is there. */
  size_t available = 0;
  uint8_t *space = ws_reader_space(&ws->reader, &available);
  if (available == 0) return failed(ws, "message too large");
  const ssize_t n = recv(ws->fd, space, available, 0);
  if (n == 0) return failed(ws, "closed by the server");
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return WS_STEP_NOTHING;
    return failed(ws, strerror(errno));
  }
  ws_reader_commit(&ws->reader, (size_t)n);
  return WS_STEP_DATA;
}

ws_event_t ws_client_next(ws_client_t *ws) {
  if (ws->phase != WS_OPEN) {
    ws_event_t none = {WS_EVENT_NONE, NULL, 0, 0};
    return none;
  }
  return ws_reader_next(&ws->reader);
}

bool ws_client_send(ws_client_t *ws, uint8_t opcode, const void *payload, unsigned long len) {
  if (ws->phase != WS_OPEN || len > 4096) return false;
  uint8_t frame[4096 + 16];
  uint8_t mask[4];
  random_bytes(mask, sizeof(mask));
  const size_t n = ws_encode_frame(frame, sizeof(frame), opcode, (const uint8_t *)payload, len, mask);
  return n > 0 && net_write_all(ws->fd, frame, n, 2000) == 0;
}

void ws_client_close(ws_client_t *ws, uint16_t code) {
  if (ws->phase == WS_OPEN && code != 0) {
    const uint8_t payload[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    ws_client_send(ws, WS_OP_CLOSE, payload, sizeof(payload));
  }
  if (ws->fd >= 0) close(ws->fd);
  ws->fd = -1;
  ws->phase = WS_CLOSED;
}
