#include "mq_conn.h"

#include <stddef.h>

#include "marquee_limits.h"
#include "mq_clock.h"

mq_conn_config_t mq_conn_default_config(void) {
  mq_conn_config_t config;
  config.backoff = mq_backoff_default();
  config.heartbeat = mq_heartbeat_default();
  config.connect_timeout_ms = MQ_CONNECT_TIMEOUT_MS;
  return config;
}

static void enter(mq_conn_t *conn, mq_conn_state_t state, uint32_t now) {
  conn->state = state;
  conn->state_since = now;
}

void mq_conn_init(mq_conn_t *conn, mq_conn_config_t config, mq_random_fn random, void *context) {
  conn->config = config;
  conn->random = random;
  conn->random_context = context;
  conn->attempt = 0;
  conn->retry_at = 0;
  conn->last_delay_ms = 0;
  conn->connects = 0;
  conn->drops = 0;
  conn->last_close = MQ_CLOSE_NONE;
  conn->close_requested = false;
  mq_heartbeat_init(&conn->heartbeat, config.heartbeat);
  enter(conn, MQ_CONN_IDLE, 0);
}

void mq_conn_start(mq_conn_t *conn, uint32_t now) {
  if (conn->state != MQ_CONN_IDLE) return;
  enter(conn, MQ_CONN_WAITING, now);
  conn->retry_at = now;
}

void mq_conn_on_open(mq_conn_t *conn, uint32_t now) {
  if (conn->state != MQ_CONN_CONNECTING) return;
  enter(conn, MQ_CONN_OPEN, now);
  mq_heartbeat_start(&conn->heartbeat, now);
}

void mq_conn_on_frame(mq_conn_t *conn, uint32_t now, bool valid) {
  if (conn->state != MQ_CONN_OPEN && conn->state != MQ_CONN_LIVE) return;
  mq_heartbeat_alive(&conn->heartbeat);
  if (valid && conn->state == MQ_CONN_OPEN) {
    enter(conn, MQ_CONN_LIVE, now);
    conn->attempt = 0;
    conn->connects++;
  }
}

void mq_conn_on_pong(mq_conn_t *conn, uint32_t now) {
  (void)now;
  if (conn->state == MQ_CONN_OPEN || conn->state == MQ_CONN_LIVE) {
    mq_heartbeat_alive(&conn->heartbeat);
  }
}

uint32_t mq_conn_on_closed(mq_conn_t *conn, uint32_t now) {
  if (conn->state == MQ_CONN_IDLE || conn->state == MQ_CONN_WAITING) return conn->last_delay_ms;
  if (!conn->close_requested) conn->last_close = MQ_CLOSE_REMOTE;
  conn->close_requested = false;
  conn->drops++;
  mq_heartbeat_stop(&conn->heartbeat);
  const uint32_t random = conn->random != NULL ? conn->random(conn->random_context) : 0u;
  conn->last_delay_ms = mq_backoff_delay(&conn->config.backoff, conn->attempt, random);
  if (conn->attempt < UINT32_MAX) conn->attempt++;
  conn->retry_at = now + conn->last_delay_ms;
  enter(conn, MQ_CONN_WAITING, now);
  return conn->last_delay_ms;
}

mq_conn_action_t mq_conn_tick(mq_conn_t *conn, uint32_t now) {
  if (conn->close_requested) return MQ_CONN_NONE;
  switch (conn->state) {
    case MQ_CONN_IDLE: return MQ_CONN_NONE;
    case MQ_CONN_WAITING:
      if (!mq_reached(now, conn->retry_at)) return MQ_CONN_NONE;
      enter(conn, MQ_CONN_CONNECTING, now);
      return MQ_CONN_CONNECT;
    case MQ_CONN_CONNECTING:
      if (mq_elapsed(now, conn->state_since) < conn->config.connect_timeout_ms) return MQ_CONN_NONE;
      conn->last_close = MQ_CLOSE_CONNECT_TIMEOUT;
      conn->close_requested = true;
      return MQ_CONN_CLOSE;
    case MQ_CONN_OPEN:
    case MQ_CONN_LIVE:
      switch (mq_heartbeat_tick(&conn->heartbeat, now)) {
        case MQ_HEARTBEAT_IDLE: return MQ_CONN_NONE;
        case MQ_HEARTBEAT_SEND_PING: return MQ_CONN_PING;
        case MQ_HEARTBEAT_DEAD:
          conn->last_close = MQ_CLOSE_HEARTBEAT;
          conn->close_requested = true;
          return MQ_CONN_CLOSE;
      }
      return MQ_CONN_NONE;
  }
  return MQ_CONN_NONE;
}

uint32_t mq_conn_next_deadline(const mq_conn_t *conn, uint32_t now) {
  switch (conn->state) {
    case MQ_CONN_WAITING: return conn->retry_at;
    case MQ_CONN_CONNECTING: return conn->state_since + conn->config.connect_timeout_ms;
    case MQ_CONN_OPEN:
    case MQ_CONN_LIVE: return mq_heartbeat_next_deadline(&conn->heartbeat, now);
    case MQ_CONN_IDLE: break;
  }
  return now + 1000u;
}

uint32_t mq_conn_library_guard_ms(const mq_conn_t *conn) {
  const uint64_t guard = 2u * (uint64_t)conn->config.connect_timeout_ms;
  if (guard == 0u) return 1u;
  return guard > UINT32_MAX ? UINT32_MAX : (uint32_t)guard;
}

const char *mq_conn_state_name(mq_conn_state_t state) {
  switch (state) {
    case MQ_CONN_IDLE: return "idle";
    case MQ_CONN_CONNECTING: return "connecting";
    case MQ_CONN_OPEN: return "open";
    case MQ_CONN_LIVE: return "live";
    case MQ_CONN_WAITING: return "waiting";
  }
  return "?";
}

const char *mq_close_reason_name(mq_close_reason_t reason) {
  switch (reason) {
    case MQ_CLOSE_NONE: return "";
    case MQ_CLOSE_REMOTE: return "closed";
    case MQ_CLOSE_CONNECT_TIMEOUT: return "connect timeout";
    case MQ_CLOSE_HEARTBEAT: return "no pong";
  }
  return "?";
}
