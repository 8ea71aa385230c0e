/*
 * WebSocket liveness for one connection, the numbers of links2004/WebSockets' enableHeartbeat
 * (15000, 3000, 2) that the seed suggests: a ping every interval; when neither a pong nor any
 * frame arrived within the pong timeout after it, that ping is missed; max_misses missed pings
 * in a row mean the connection is dead (behind a proxy a half-open socket can look connected for
 * hours). Any sign of life clears the count: the server pushes a frame every 2 s, which proves
 * the path as well as a pong does. Pure: the caller supplies the clock and sends the pings.
 */
#ifndef MQ_HEARTBEAT_H
#define MQ_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint32_t interval_ms;
  uint32_t pong_timeout_ms;
  uint32_t max_misses;
} mq_heartbeat_config_t;

typedef enum {
  MQ_HEARTBEAT_IDLE = 0,
  /** Send a WebSocket ping now. */
  MQ_HEARTBEAT_SEND_PING,
  /** max_misses pings in a row went unanswered: close the socket and reconnect. */
  MQ_HEARTBEAT_DEAD
} mq_heartbeat_action_t;

typedef struct {
  mq_heartbeat_config_t config;
  bool running;
  bool awaiting;     /* a ping is out and its timeout has not passed */
  bool heard;        /* something arrived since that ping */
  uint32_t next_ping_at;
  uint32_t pong_deadline;
  uint32_t misses;
} mq_heartbeat_t;

/** MQ_HEARTBEAT_INTERVAL_MS, MQ_HEARTBEAT_PONG_TIMEOUT_MS, MQ_HEARTBEAT_MAX_MISSES. */
mq_heartbeat_config_t mq_heartbeat_default(void);

void mq_heartbeat_init(mq_heartbeat_t *hb, mq_heartbeat_config_t config);

/** The socket is open: the first ping goes out one interval from `now`. */
void mq_heartbeat_start(mq_heartbeat_t *hb, uint32_t now);

void mq_heartbeat_stop(mq_heartbeat_t *hb);

/** A pong or any frame arrived. */
void mq_heartbeat_alive(mq_heartbeat_t *hb);

/** What to do at `now`; call at least every few hundred milliseconds. */
mq_heartbeat_action_t mq_heartbeat_tick(mq_heartbeat_t *hb, uint32_t now);

/** When the next tick has something to do (for a poll() timeout); `now` when idle. */
uint32_t mq_heartbeat_next_deadline(const mq_heartbeat_t *hb, uint32_t now);

#ifdef __cplusplus
}
#endif

#endif /* MQ_HEARTBEAT_H */
