/*
 * Numbers as the panel writes them. The LVGL layer sets these strings on its labels; the host
 * harness prints them; so the tests see the same text as the screen.
 */
#ifndef MQ_FORMAT_H
#define MQ_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "42:05" under an hour, "1:02:03" from an hour on. Returns the length. */
size_t mq_format_duration(char *dst, size_t dst_size, uint64_t seconds);

/** Bits per second with SI prefixes: "950 b/s", "262 kb/s", "2.6 Mb/s", "1.2 Gb/s". */
size_t mq_format_rate(char *dst, size_t dst_size, uint64_t bps);

/** Tenths as a decimal with one digit: 234 -> "23.4", -52 -> "-5.2". */
size_t mq_format_tenths(char *dst, size_t dst_size, int32_t tenths);

/** A 20-cell text bar for `permille`: "[#####...............]". */
size_t mq_format_bar(char *dst, size_t dst_size, uint16_t permille);

#ifdef __cplusplus
}
#endif

#endif /* MQ_FORMAT_H */
