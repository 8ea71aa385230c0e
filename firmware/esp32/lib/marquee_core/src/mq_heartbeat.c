#include "mq_heartbeat.h"

#include "marquee_limits.h"
#include "mq_clock.h"

mq_heartbeat_config_t mq_heartbeat_default(void) {
  mq_heartbeat_config_t config = {MQ_HEARTBEAT_INTERVAL_MS, MQ_HEARTBEAT_PONG_TIMEOUT_MS,
                                  MQ_HEARTBEAT_MAX_MISSES};
  return config;
}

void mq_heartbeat_init(mq_heartbeat_t *hb, mq_heartbeat_config_t config) {
  hb->config = config;
  if (hb->config.max_misses == 0) hb->config.max_misses = 1;
  mq_heartbeat_stop(hb);
}

void mq_heartbeat_start(mq_heartbeat_t *hb, uint32_t now) {
  hb->running = true;
  hb->awaiting = false;
  hb->heard = false;
  hb->misses = 0;
  hb->next_ping_at = now + hb->config.interval_ms;
  hb->pong_deadline = now;
}

void mq_heartbeat_stop(mq_heartbeat_t *hb) {
  hb->running = false;
  hb->awaiting = false;
  hb->heard = false;
  hb->misses = 0;
  hb->next_ping_at = 0;
  hb->pong_deadline = 0;
}

void mq_heartbeat_alive(mq_heartbeat_t *hb) {
  if (!hb->running) return;
  hb->heard = true;
  hb->misses = 0;
}

mq_heartbeat_action_t mq_heartbeat_tick(mq_heartbeat_t *hb, uint32_t now) {
  if (!hb->running) return MQ_HEARTBEAT_IDLE;
  if (hb->awaiting && mq_reached(now, hb->pong_deadline)) {
    hb->awaiting = false;
    if (!hb->heard && ++hb->misses >= hb->config.max_misses) {
      mq_heartbeat_stop(hb);
      return MQ_HEARTBEAT_DEAD;
    }
  }
  if (!hb->awaiting && mq_reached(now, hb->next_ping_at)) {
    hb->awaiting = true;
    hb->heard = false;
    hb->pong_deadline = now + hb->config.pong_timeout_ms;
    hb->next_ping_at = now + hb->config.interval_ms;
    return MQ_HEARTBEAT_SEND_PING;
  }
  return MQ_HEARTBEAT_IDLE;
}

uint32_t mq_heartbeat_next_deadline(const mq_heartbeat_t *hb, uint32_t now) {
  if (!hb->running) return now;
  if (hb->awaiting && mq_until(now, hb->pong_deadline) < mq_until(now, hb->next_ping_at)) {
    return hb->pong_deadline;
  }
  return hb->next_ping_at;
}
