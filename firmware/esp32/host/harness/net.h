/* Non-blocking TCP connects for the harness (numeric or resolvable host names). */
#ifndef MQ_HARNESS_NET_H
#define MQ_HARNESS_NET_H

#include <stdint.h>

/** Starts a non-blocking connect; returns the socket or -1. Completion shows as POLLOUT. */
int net_connect_start(const char *host, uint16_t port);

/** After POLLOUT on a connecting socket: 0 when connected, otherwise the errno. */
int net_connect_result(int fd);

/** Writes all `len` bytes to a non-blocking socket, waiting up to `timeout_ms` for room. */
int net_write_all(int fd, const void *data, unsigned long len, int timeout_ms);

#endif
