#define _POSIX_C_SOURCE 200809L
#include "http_client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

void http_client_init(http_client_t *http) {
  http->fd = -1;
  http->phase = HTTP_IDLE;
  http->request_len = 0;
  http->response_len = 0;
}

void http_client_reset(http_client_t *http) {
  if (http->fd >= 0) close(http->fd);
  http_client_init(http);
}

bool http_client_start(http_client_t *http, const char *host, uint16_t port, const char *request,
                       unsigned long len, uint32_t now) {
  http_client_reset(http);
  if (len > sizeof(http->request)) return false;
  memcpy(http->request, request, len);
  http->request_len = len;
  http->started_at = now;
  http->fd = net_connect_start(host, port);
  if (http->fd < 0) {
    http->phase = HTTP_FAILED;
    return false;
  }
  http->phase = HTTP_CONNECTING;
  return true;
}

short http_client_events(const http_client_t *http) {
  switch (http->phase) {
    case HTTP_CONNECTING: return POLLOUT;
    case HTTP_READING: return POLLIN;
    default: return 0;
  }
}

static void failed(http_client_t *http) {
  if (http->fd >= 0) close(http->fd);
  http->fd = -1;
  http->phase = HTTP_FAILED;
}

void http_client_step(http_client_t *http, short revents) {
  if (revents == 0) return;
  if (http->phase == HTTP_CONNECTING) {
    if (net_connect_result(http->fd) != 0 ||
        net_write_all(http->fd, http->request, http->request_len, 2000) != 0) {
      failed(http);
      return;
    }
    http->phase = HTTP_READING;
    return;
  }
  if (http->phase != HTTP_READING) return;
  for (;;) {
    const size_t room = sizeof(http->response) - http->response_len;
    if (room == 0) {
      failed(http);
      return;
    }
    const ssize_t n = recv(http->fd, http->response + http->response_len, room, 0);
    if (n > 0) {
      http->response_len += (unsigned long)n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n < 0) {
      failed(http);
      return;
    }
    /* The server closed: the response is complete. */
    close(http->fd);
    http->fd = -1;
    if (http_parse_response(http->response, http->response_len, &http->parsed) != 0) {
      http->phase = HTTP_FAILED;
      return;
    }
    http->phase = HTTP_DONE;
    return;
  }
}
