/*
 * A minimal RFC 6455 client over POSIX sockets, driven from the harness's poll() loop the way
 * links2004/WebSockets is driven from the panel's loop(): non-blocking connect, upgrade with a
 * random key whose Sec-WebSocket-Accept is verified, masked client frames, reassembled messages
 * up to WS_MAX_MESSAGE bytes (bigger ones close with 1009, like the panel's library).
 */
#ifndef MQ_HARNESS_WS_CLIENT_H
#define MQ_HARNESS_WS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "ws_frame.h"

#define WS_MAX_MESSAGE (64u * 1024u)

typedef enum { WS_CLOSED = 0, WS_CONNECTING, WS_HANDSHAKE, WS_OPEN } ws_phase_t;

typedef struct {
  int fd;
  ws_phase_t phase;
  char key[32];
  char head[4096];
  unsigned long head_len;
  ws_reader_t reader;
  uint8_t in[WS_MAX_MESSAGE + 16];
  uint8_t msg[WS_MAX_MESSAGE];
  char request[2048];
  char error[128];
} ws_client_t;

void ws_client_init(ws_client_t *ws);

/** Starts connecting; false (with `error`) when it fails at once. */
bool ws_client_start(ws_client_t *ws, const char *host, uint16_t port, const char *path);

/** The poll() events to wait for, 0 when closed. */
short ws_client_events(const ws_client_t *ws);

typedef enum { WS_STEP_NOTHING = 0, WS_STEP_OPENED, WS_STEP_DATA, WS_STEP_FAILED } ws_step_t;

/** Progress after poll() said `revents`: opened, data buffered (drain with ws_client_next), failed. */
ws_step_t ws_client_step(ws_client_t *ws, short revents);

/** The next event from buffered data. */
ws_event_t ws_client_next(ws_client_t *ws);

/** Sends one masked frame. */
bool ws_client_send(ws_client_t *ws, uint8_t opcode, const void *payload, unsigned long len);

/** Sends a close frame with `code` (0: none) and closes the socket. */
void ws_client_close(ws_client_t *ws, uint16_t code);

#endif
