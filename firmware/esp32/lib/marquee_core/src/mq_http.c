#include "mq_http.h"

#include <stdio.h>
#include <string.h>

static const char HEX[] = "0123456789ABCDEF";

size_t mq_url_encode(char *dst, size_t dst_size, const char *src, size_t len) {
  if (dst == NULL || dst_size == 0) return 0;
  size_t out = 0;
  for (size_t i = 0; i < len; i++) {
    const unsigned char c = (unsigned char)src[i];
    const int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    const size_t need = plain ? 1u : 3u;
    if (out + need >= dst_size) {
      dst[0] = '\0';
      return 0;
    }
    if (plain) {
      dst[out++] = (char)c;
    } else {
      dst[out++] = '%';
      dst[out++] = HEX[c >> 4];
      dst[out++] = HEX[c & 0x0F];
    }
  }
  dst[out] = '\0';
  return out;
}

size_t mq_json_quote(char *dst, size_t dst_size, const char *src) {
  if (dst == NULL || dst_size == 0 || src == NULL) return 0;
  size_t out = 0;
#define PUT(ch)                \
  do {                         \
    if (out + 1u >= dst_size) { \
      dst[0] = '\0';           \
      return 0;                \
    }                          \
    dst[out++] = (ch);         \
  } while (0)
  PUT('"');
  for (const unsigned char *p = (const unsigned char *)src; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\') {
      PUT('\\');
      PUT((char)*p);
    } else if (*p < 0x20 || *p == 0x7F) {
      PUT('\\');
      PUT('u');
      PUT('0');
      PUT('0');
      PUT(HEX[*p >> 4]);
      PUT(HEX[*p & 0x0F]);
    } else {
      PUT((char)*p);
    }
  }
  PUT('"');
#undef PUT
  dst[out] = '\0';
  return out;
}

mq_status_t mq_ws_path(char *dst, size_t dst_size, const char *token) {
  static const char base[] = "/api/dashboard/ws?profile=compact";
  if (dst == NULL || dst_size < sizeof(base)) return MQ_ERR_NO_SPACE;
  memcpy(dst, base, sizeof(base));
  if (token == NULL || token[0] == '\0') return MQ_OK;
  static const char param[] = "&token=";
  size_t used = sizeof(base) - 1u;
  if (used + sizeof(param) > dst_size) return MQ_ERR_NO_SPACE;
  memcpy(dst + used, param, sizeof(param));
  used += sizeof(param) - 1u;
  if (mq_url_encode(dst + used, dst_size - used, token, strlen(token)) == 0) {
    dst[0] = '\0';
    return MQ_ERR_NO_SPACE;
  }
  return MQ_OK;
}

mq_status_t mq_http_thumb_request(mq_http_request_t *req, const char *thumb) {
  if (req == NULL || thumb == NULL || thumb[0] != '/') return MQ_ERR_ARGUMENT;
  memset(req, 0, sizeof(*req));
  req->method = "GET";
  int n;
  if (strchr(thumb, '?') != NULL) {
    n = snprintf(req->path, sizeof(req->path), "%s", thumb);
  } else {
    n = snprintf(req->path, sizeof(req->path), "%s?width=%u&height=%u", thumb, MQ_POSTER_WIDTH,
                 MQ_POSTER_HEIGHT);
  }
  if (n < 0 || (size_t)n >= sizeof(req->path)) return MQ_ERR_NO_SPACE;
  return MQ_OK;
}

size_t mq_http_serialize(const mq_http_request_t *req, const char *host, uint16_t port, char *dst,
                         size_t dst_size) {
  if (req == NULL || req->method == NULL || host == NULL || dst == NULL || dst_size == 0) return 0;
  int n = snprintf(dst, dst_size, "%s %s HTTP/1.1\r\nHost: %s:%u\r\n", req->method, req->path,
                   host, (unsigned)port);
  if (n < 0 || (size_t)n >= dst_size) return 0;
  size_t used = (size_t)n;
  if (req->authorization[0] != '\0') {
    n = snprintf(dst + used, dst_size - used, "Authorization: %s\r\n", req->authorization);
    if (n < 0 || (size_t)n >= dst_size - used) return 0;
    used += (size_t)n;
  }
  if (req->content_type != NULL) {
    n = snprintf(dst + used, dst_size - used, "Content-Type: %s\r\n", req->content_type);
    if (n < 0 || (size_t)n >= dst_size - used) return 0;
    used += (size_t)n;
  }
  if (req->content_type != NULL || strcmp(req->method, "POST") == 0) {
    n = snprintf(dst + used, dst_size - used, "Content-Length: %u\r\n", (unsigned)req->body_len);
    if (n < 0 || (size_t)n >= dst_size - used) return 0;
    used += (size_t)n;
  }
  n = snprintf(dst + used, dst_size - used, "Connection: close\r\n\r\n");
  if (n < 0 || (size_t)n >= dst_size - used) return 0;
  used += (size_t)n;
  if (req->body_len > 0) {
    if (req->body_len > dst_size - used) return 0;
    memcpy(dst + used, req->body, req->body_len);
    used += req->body_len;
  }
  return used;
}
