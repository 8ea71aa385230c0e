/*
 * The HTTP requests the panel sends, as plain data: method, path, headers and body bytes. The UI
 * layer hands them to its HTTP client (HTTPClient on the panel); the host harness writes
 * mq_http_serialize's bytes to a socket. Paths are built here, URL-encoded, from the routes of
 * packages/sdk/src/protocol (now-playing/routes.ts, playback.ts, media.ts).
 */
#ifndef MQ_HTTP_H
#define MQ_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "marquee_limits.h"
#include "mq_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** "/api/dashboard/session/" + an id URL-encoded (3 bytes per byte) + "/control" + NUL. */
#define MQ_HTTP_PATH_BYTES (40u + 3u * MQ_SESSION_ID_BYTES)
/** Longest user name or password the panel can sign in with, in bytes. */
#define MQ_CREDENTIAL_BYTES 64u
/** A login body with both credentials fully escaped (\u00XX is 6 bytes per byte). */
#define MQ_HTTP_REQUEST_BODY_BYTES (48u + 12u * MQ_CREDENTIAL_BYTES)
/** "Bearer " + token + NUL. */
#define MQ_HTTP_AUTHORIZATION_BYTES (8u + MQ_AUTH_TOKEN_BYTES)

typedef struct {
  /** "GET" or "POST" (static strings). */
  const char *method;
  char path[MQ_HTTP_PATH_BYTES];
  /** The Authorization header's value, "" for none. */
  char authorization[MQ_HTTP_AUTHORIZATION_BYTES];
  /** "application/json" or NULL when there is no body. */
  const char *content_type;
  char body[MQ_HTTP_REQUEST_BODY_BYTES];
  size_t body_len;
  /** Identifies the request; hand it back with its response (mq_command.h). */
  uint32_t seq;
} mq_http_request_t;

/**
 * Percent-encodes `len` bytes of `src` for one path segment or query value (everything except
 * A-Z a-z 0-9 - . _ ~), NUL-terminated. Returns the length, or 0 with `dst` = "" when it does not
 * fit (an empty `src` also gives 0).
 */
size_t mq_url_encode(char *dst, size_t dst_size, const char *src, size_t len);

/** Writes `src` as a JSON string literal with its quotes. Returns the length, 0 when no space. */
size_t mq_json_quote(char *dst, size_t dst_size, const char *src);

/**
 * The WebSocket path of the compact profile, `/api/dashboard/ws?profile=compact`, plus
 * `&token=<display token>` when `token` is not empty (servers with MARQUEE_NOW_PLAYING_WS_AUTH
 * = token).
 */
mq_status_t mq_ws_path(char *dst, size_t dst_size, const char *token);

/**
 * GET of a session's poster: its `thumb` path as the server sent it (already
 * `/api/media/thumb/...?width=150&height=225`), or with that query added when it has none.
 */
mq_status_t mq_http_thumb_request(mq_http_request_t *req, const char *thumb);

/**
 * The request as HTTP/1.1 bytes for `host`:`port` with `Connection: close`. Returns the length,
 * 0 when `dst` is too small.
 */
size_t mq_http_serialize(const mq_http_request_t *req, const char *host, uint16_t port, char *dst,
                         size_t dst_size);

#ifdef __cplusplus
}
#endif

#endif /* MQ_HTTP_H */
