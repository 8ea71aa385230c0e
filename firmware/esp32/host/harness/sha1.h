/* SHA-1 (FIPS 180-4), only for the WebSocket handshake's Sec-WebSocket-Accept check. */
#ifndef MQ_HARNESS_SHA1_H
#define MQ_HARNESS_SHA1_H

#include <stddef.h>
#include <stdint.h>

void sha1(const void *data, size_t len, uint8_t digest[20]);

#endif
