/*
 * The panel's connection policy for `WS /api/dashboard/ws?profile=compact`, as a state machine
 * the UI layer (links2004/WebSockets on the panel, a POSIX client in the host harness) drives with
 * events and a clock, and that answers with actions:
 *
 *   IDLE --start--> CONNECTING --open--> OPEN --valid frame--> LIVE
 *     CONNECTING/OPEN/LIVE --closed--> WAITING (jittered backoff, never 0) --delay over--> CONNECTING
 *     CONNECTING too long, or heartbeat dead --> action CLOSE (then the caller reports closed)
 *
 * The attempt counter (and with it the backoff window) resets only on the first valid frame of a
 * connection, not when the socket opens: a proxy that accepts the upgrade and then drops it
 * would otherwise be hammered at the shortest delay forever.
 */
#ifndef MQ_CONN_H
#define MQ_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "mq_backoff.h"
#include "mq_heartbeat.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  MQ_CONN_IDLE = 0,
  MQ_CONN_CONNECTING,
  MQ_CONN_OPEN,
  MQ_CONN_LIVE,
  MQ_CONN_WAITING
} mq_conn_state_t;

typedef enum {
  MQ_CONN_NONE = 0,
  /** Open the socket now (then report open or closed). */
  MQ_CONN_CONNECT,
  /** Send a WebSocket ping. */
  MQ_CONN_PING,
  /** Close the socket now (connect timeout or dead heartbeat), then report closed. */
  MQ_CONN_CLOSE
} mq_conn_action_t;

typedef struct {
  mq_backoff_t backoff;
  mq_heartbeat_config_t heartbeat;
  uint32_t connect_timeout_ms;
} mq_conn_config_t;

/** Why the last connection ended, for the network page. */
typedef enum {
  MQ_CLOSE_NONE = 0,
  MQ_CLOSE_REMOTE,            /* closed by the server, a proxy or the network */
  MQ_CLOSE_CONNECT_TIMEOUT,   /* connect + handshake took longer than connect_timeout_ms */
  MQ_CLOSE_HEARTBEAT          /* pings went unanswered */
} mq_close_reason_t;

typedef uint32_t (*mq_random_fn)(void *context);

typedef struct {
  mq_conn_config_t config;
  mq_conn_state_t state;
  mq_heartbeat_t heartbeat;
  mq_random_fn random;
  void *random_context;
  uint32_t attempt;          /* failed attempts since the last valid frame */
  uint32_t state_since;      /* when the current state began */
  uint32_t retry_at;         /* WAITING: when to connect */
  uint32_t last_delay_ms;    /* the delay drawn for the current wait */
  uint32_t connects;         /* connections that reached LIVE */
  uint32_t drops;            /* connections that ended (any reason) */
  mq_close_reason_t last_close;
  bool close_requested;      /* CLOSE was returned; waiting for the caller's closed */
} mq_conn_t;

/** Limits from marquee_limits.h. */
mq_conn_config_t mq_conn_default_config(void);

/** `random` gives a fresh uniform 32-bit value per call (esp_random() on the panel). */
void mq_conn_init(mq_conn_t *conn, mq_conn_config_t config, mq_random_fn random, void *context);

/** Leaves IDLE: the next tick connects. */
void mq_conn_start(mq_conn_t *conn, uint32_t now);

/** The WebSocket handshake completed. */
void mq_conn_on_open(mq_conn_t *conn, uint32_t now);

/** A frame arrived; `valid` when the core accepted it (a rejected one is still a sign of life). */
void mq_conn_on_frame(mq_conn_t *conn, uint32_t now, bool valid);

/** A pong arrived. */
void mq_conn_on_pong(mq_conn_t *conn, uint32_t now);

/**
 * The socket closed or failed to open (also after a CLOSE action). Returns the delay drawn before
 * the next attempt.
 */
uint32_t mq_conn_on_closed(mq_conn_t *conn, uint32_t now);

/** What to do at `now`. */
mq_conn_action_t mq_conn_tick(mq_conn_t *conn, uint32_t now);

/** The next instant a tick may act (for poll timeouts). */
uint32_t mq_conn_next_deadline(const mq_conn_t *conn, uint32_t now);

/**
 * The reconnect interval to give a WebSocket library that also reconnects by itself
 * (links2004/WebSockets' setReconnectInterval), so that it can never open a second socket within
 * one of this machine's attempts: twice the connect timeout (the core closes a CONNECTING attempt
 * after one), never 0. With 0 that library retries a refused connect on every loop pass, around
 * the backoff. The driver opens each attempt itself (`begin` with the interval at 0 for that one
 * pass, see src/main.cpp), then restores this guard.
 */
uint32_t mq_conn_library_guard_ms(const mq_conn_t *conn);

/** "idle", "connecting", "open", "live", "waiting". */
const char *mq_conn_state_name(mq_conn_state_t state);

/** "", "closed", "connect timeout", "no pong". */
const char *mq_close_reason_name(mq_close_reason_t reason);

#ifdef __cplusplus
}
#endif

#endif /* MQ_CONN_H */
