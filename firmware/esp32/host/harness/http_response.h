/* Reading HTTP/1.1 responses in the harness: the WebSocket upgrade's head, and whole
 * `Connection: close` responses (Content-Length or chunked bodies). */
#ifndef MQ_HARNESS_HTTP_RESPONSE_H
#define MQ_HARNESS_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

/**
 * The status and head length (through the blank line) of `len` bytes. 0 when the head is
 * complete, 1 when more bytes are needed, -1 when it is not HTTP/1.x.
 */
int http_parse_head(const char *buf, size_t len, int *status, size_t *head_len);

/** Copies header `name`'s value (case-insensitive name, trimmed) from a head. False if absent. */
bool http_header(const char *head, size_t head_len, const char *name, char *value,
                 size_t value_size);

typedef struct {
  int status;
  const char *body;
  size_t body_len;
} http_response_t;

/**
 * A complete response (the connection has closed): chunked bodies are decoded in place. 0 on
 * success, -1 when malformed or cut short.
 */
int http_parse_response(char *buf, size_t len, http_response_t *out);

#endif
