/*
 * RFC 6455 framing for the harness's WebSocket client: client frames are masked, server frames
 * must not be; fragmented messages are reassembled into a bounded buffer; control frames may
 * arrive between fragments. Pure functions over buffers, tested on their own (tests/test_ws.cpp).
 */
#ifndef MQ_HARNESS_WS_FRAME_H
#define MQ_HARNESS_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  WS_OP_CONTINUATION = 0x0,
  WS_OP_TEXT = 0x1,
  WS_OP_BINARY = 0x2,
  WS_OP_CLOSE = 0x8,
  WS_OP_PING = 0x9,
  WS_OP_PONG = 0xA
};

typedef struct {
  bool fin;
  uint8_t opcode;
  uint64_t payload_len;
  size_t header_len;
} ws_header_t;

typedef enum { WS_NEED_MORE = 0, WS_HEADER_OK, WS_PROTOCOL_ERROR } ws_header_result_t;

/** Reads a server frame's header from `len` bytes. Masked, RSV-flagged or malformed: error. */
ws_header_result_t ws_parse_header(const uint8_t *buf, size_t len, ws_header_t *header);

/** A masked client frame with FIN set. Returns its length, 0 when `out` is too small. */
size_t ws_encode_frame(uint8_t *out, size_t out_size, uint8_t opcode, const uint8_t *payload,
                       size_t len, const uint8_t mask[4]);

/** base64(SHA-1(key + the RFC's GUID)): what Sec-WebSocket-Accept must say for `key`. */
void ws_accept_for(const char *key, char out[29]);

/** base64 of `len` bytes; `out` needs 4 * ceil(len / 3) + 1 bytes. */
void ws_base64(const uint8_t *data, size_t len, char *out);

typedef enum {
  WS_EVENT_NONE = 0,
  WS_EVENT_TEXT,
  WS_EVENT_BINARY,
  WS_EVENT_PING,
  WS_EVENT_PONG,
  WS_EVENT_CLOSE,
  /** Not RFC 6455: close with 1002. */
  WS_EVENT_ERROR,
  /** A message over the buffer: close with 1009. */
  WS_EVENT_TOO_BIG
} ws_event_type_t;

typedef struct {
  ws_event_type_t type;
  /** Payload; valid until the next ws_reader_next. */
  const uint8_t *data;
  size_t len;
  /** WS_EVENT_CLOSE: the peer's code, 1005 when it sent none. */
  uint16_t close_code;
} ws_event_t;

typedef struct {
  uint8_t *in;
  size_t in_cap;
  size_t in_len;
  uint8_t *msg;
  size_t msg_cap;
  size_t msg_len;
  bool in_message;
  uint8_t msg_opcode;
  uint8_t control[125];
} ws_reader_t;

void ws_reader_init(ws_reader_t *reader, uint8_t *in, size_t in_cap, uint8_t *msg, size_t msg_cap);

/** Where to read new bytes to, and how many fit. */
uint8_t *ws_reader_space(ws_reader_t *reader, size_t *available);

/** `n` bytes were written at ws_reader_space. */
void ws_reader_commit(ws_reader_t *reader, size_t n);

/** The next complete message or control frame in the buffered bytes (WS_EVENT_NONE: need more). */
ws_event_t ws_reader_next(ws_reader_t *reader);

#endif
