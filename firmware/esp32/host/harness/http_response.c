#define _POSIX_C_SOURCE 200809L
#include "http_response.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *find(const char *buf, size_t len, const char *needle) {
  const size_t n = strlen(needle);
  if (len < n) return NULL;
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp(buf + i, needle, n) == 0) return buf + i;
  }
  return NULL;
}

int http_parse_head(const char *buf, size_t len, int *status, size_t *head_len) {
  if (len >= 5 && memcmp(buf, "HTTP/", 5) != 0) return -1;
  const char *end = find(buf, len, "\r\n\r\n");
  if (end == NULL) return len > 16384 ? -1 : 1;
  if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') return -1;
  if (!isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
      !isdigit((unsigned char)buf[11])) {
    return -1;
  }
  *status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
  *head_len = (size_t)(end - buf) + 4;
  return 0;
}

bool http_header(const char *head, size_t head_len, const char *name, char *value,
                 size_t value_size) {
  const size_t name_len = strlen(name);
  const char *line = find(head, head_len, "\r\n");
  while (line != NULL) {
    line += 2;
    const size_t left = head_len - (size_t)(line - head);
    const char *eol = find(line, left, "\r\n");
    if (eol == NULL || eol == line) return false;
    const size_t line_len = (size_t)(eol - line);
    if (line_len > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0) {
      const char *v = line + name_len + 1;
      const char *v_end = eol;
      while (v < v_end && (*v == ' ' || *v == '\t')) v++;
      while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t')) v_end--;
      const size_t n = (size_t)(v_end - v);
      if (n >= value_size) return false;
      memcpy(value, v, n);
      value[n] = '\0';
      return true;
    }
    line = eol;
  }
  return false;
}

/* Decodes a chunked body in place; returns its length or -1. */
static long dechunk(char *body, size_t len) {
  size_t in = 0, out = 0;
  for (;;) {
    const char *eol = find(body + in, len - in, "\r\n");
    if (eol == NULL) return -1;
    char *end = NULL;
    const unsigned long size = strtoul(body + in, &end, 16);
    if (end == body + in) return -1;
    in = (size_t)(eol - body) + 2;
    if (size == 0) return (long)out;
    if (size > len - in || len - in - size < 2) return -1;
    memmove(body + out, body + in, size);
    out += size;
    in += size + 2;
  }
}

int http_parse_response(char *buf, size_t len, http_response_t *out) {
  size_t head_len = 0;
  if (http_parse_head(buf, len, &out->status, &head_len) != 0) return -1;
  char *body = buf + head_len;
  size_t body_len = len - head_len;
  char value[64];
  if (http_header(buf, head_len, "Transfer-Encoding", value, sizeof(value)) &&
      strcasecmp(value, "chunked") == 0) {
    const long n = dechunk(body, body_len);
    if (n < 0) return -1;
    body_len = (size_t)n;
  } else if (http_header(buf, head_len, "Content-Length", value, sizeof(value))) {
    char *end = NULL;
    const unsigned long n = strtoul(value, &end, 10);
    if (end == value || *end != '\0' || n > body_len) return -1;
    body_len = n;
  }
  out->body = body;
  out->body_len = body_len;
  return 0;
}
