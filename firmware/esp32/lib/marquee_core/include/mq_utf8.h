/*
 * UTF-8 that a small display can always draw: bounded copies that never split a character and
 * never pass on invalid bytes. The server already cuts titles between grapheme clusters (the
 * compact profile); the panel cuts again only when its own buffer is smaller, between code points.
 */
#ifndef MQ_UTF8_H
#define MQ_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "…" (U+2026), what a cut text ends in, as the server's compact profile does. */
#define MQ_UTF8_ELLIPSIS "\xE2\x80\xA6"

/**
 * Length (1 to 4) of the well-formed UTF-8 sequence at `s` (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one. Reads at most
 * `avail` bytes.
 */
size_t mq_utf8_sequence_length(const unsigned char *s, size_t avail);

/** True when all `len` bytes of `s` are well-formed UTF-8. */
bool mq_utf8_is_valid(const char *s, size_t len);

/**
 * Copies `src_len` bytes of `src` (need not be NUL-terminated nor valid) into `dst`, always
 * NUL-terminated and always well-formed: an invalid byte becomes `?`, a control character (C0,
 * DEL) a space. When the result would not fit in `dst_size - 1` bytes it keeps the longest run of
 * whole characters that leaves room for "…", trims trailing spaces and zero-width joiners, and
 * ends in "…" (or is empty when `dst_size` < 4). Sets `*truncated` (when not NULL) on a cut.
 * Returns the bytes written without the NUL; 0 when `dst_size` is 0.
 */
size_t mq_utf8_copy(char *dst, size_t dst_size, const char *src, size_t src_len, bool *truncated);

#ifdef __cplusplus
}
#endif

#endif /* MQ_UTF8_H */
