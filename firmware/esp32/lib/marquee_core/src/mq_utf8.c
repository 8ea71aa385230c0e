#include "mq_utf8.h"

#include <string.h>

size_t mq_utf8_sequence_length(const unsigned char *s, size_t avail) {
  if (avail == 0) return 0;
  const unsigned char b0 = s[0];
  if (b0 < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;      /* overlong */
    else if (b0 == 0xED) hi = 0x9F; /* UTF-16 surrogates */
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;      /* overlong */
    else if (b0 == 0xF4) hi = 0x8F; /* above U+10FFFF */
  } else {
    return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
  }
  if (avail < need) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < need; i++) {
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  }
  return need;
}

bool mq_utf8_is_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    const size_t n = mq_utf8_sequence_length(p + i, len - i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/* The next output "character" for input at `p`: its bytes in `out`, its input length returned. */
static size_t next_char(const unsigned char *p, size_t avail, unsigned char out[4], size_t *out_len) {
  const size_t n = mq_utf8_sequence_length(p, avail);
  if (n == 0) {
    out[0] = '?';
    *out_len = 1;
    return 1;
  }
  if (n == 1 && (p[0] < 0x20 || p[0] == 0x7F)) {
    out[0] = ' ';
    *out_len = 1;
    return 1;
  }
  memcpy(out, p, n);
  *out_len = n;
  return n;
}

static bool ends_with(const char *s, size_t len, const char *suffix, size_t suffix_len) {
  return len >= suffix_len && memcmp(s + len - suffix_len, suffix, suffix_len) == 0;
}

size_t mq_utf8_copy(char *dst, size_t dst_size, const char *src, size_t src_len, bool *truncated) {
  if (truncated != NULL) *truncated = dst_size == 0 && src != NULL && src_len > 0;
  if (dst == NULL || dst_size == 0) return 0;
  dst[0] = '\0';
  if (src == NULL) return 0;
  const unsigned char *in = (const unsigned char *)src;
  const size_t capacity = dst_size - 1;

  /* Pass 1: does the sanitised text fit as a whole? */
  size_t total = 0;
  for (size_t i = 0; i < src_len;) {
    unsigned char ch[4];
    size_t ch_len;
    i += next_char(in + i, src_len - i, ch, &ch_len);
    total += ch_len;
    if (total > capacity) break;
  }
  const bool cut = total > capacity;
  const size_t ellipsis_len = sizeof(MQ_UTF8_ELLIPSIS) - 1;
  if (cut && capacity < ellipsis_len) {
    if (truncated != NULL) *truncated = true;
    return 0;
  }
  const size_t room = cut ? capacity - ellipsis_len : capacity;

  /* Pass 2: whole characters while they fit. */
  size_t out = 0;
  for (size_t i = 0; i < src_len;) {
    unsigned char ch[4];
    size_t ch_len;
    const size_t used = next_char(in + i, src_len - i, ch, &ch_len);
    if (out + ch_len > room) break;
    memcpy(dst + out, ch, ch_len);
    out += ch_len;
    i += used;
  }
  if (cut) {
    /* A dangling joiner would glue the ellipsis to the emoji before it; a space looks odd. */
    static const char zwj[] = "\xE2\x80\x8D";
    for (;;) {
      if (ends_with(dst, out, " ", 1)) {
        out -= 1;
      } else if (ends_with(dst, out, zwj, sizeof(zwj) - 1)) {
        out -= sizeof(zwj) - 1;
      } else {
        break;
      }
    }
    memcpy(dst + out, MQ_UTF8_ELLIPSIS, ellipsis_len);
    out += ellipsis_len;
    if (truncated != NULL) *truncated = true;
  }
  dst[out] = '\0';
  return out;
}
