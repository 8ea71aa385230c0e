/* One HTTP/1.1 request at a time over a non-blocking socket, driven from the harness's poll()
 * loop: connect, send the core's serialised request, read until the server closes. */
#ifndef MQ_HARNESS_HTTP_CLIENT_H
#define MQ_HARNESS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "http_response.h"

#define HTTP_MAX_RESPONSE (96u * 1024u)

typedef enum { HTTP_IDLE = 0, HTTP_CONNECTING, HTTP_READING, HTTP_DONE, HTTP_FAILED } http_phase_t;

typedef struct {
  int fd;
  http_phase_t phase;
  char request[4096];
  unsigned long request_len;
  char response[HTTP_MAX_RESPONSE];
  unsigned long response_len;
  uint32_t started_at;
  http_response_t parsed;
} http_client_t;

void http_client_init(http_client_t *http);

/** Starts sending `len` bytes of request to host:port. False when it cannot start. */
bool http_client_start(http_client_t *http, const char *host, uint16_t port, const char *request,
                       unsigned long len, uint32_t now);

short http_client_events(const http_client_t *http);

/** Progress after poll(); the phase becomes DONE (see `parsed`) or FAILED. */
void http_client_step(http_client_t *http, short revents);

/** Back to IDLE, closing the socket. */
void http_client_reset(http_client_t *http);

#endif
