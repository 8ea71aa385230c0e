#define _POSIX_C_SOURCE 200809L
#include "ws_frame.h"

#include <string.h>

#include "sha1.h"

ws_header_result_t ws_parse_header(const uint8_t *buf, size_t len, ws_header_t *header) {
  if (len < 2) return WS_NEED_MORE;
  const uint8_t b0 = buf[0], b1 = buf[1];
  if (b0 & 0x70) return WS_PROTOCOL_ERROR; /* RSV1-3: no extension was negotiated */
  if (b1 & 0x80) return WS_PROTOCOL_ERROR; /* a server must not mask */
  header->fin = (b0 & 0x80) != 0;
  header->opcode = b0 & 0x0F;
  const uint8_t op = header->opcode;
  if (op != WS_OP_CONTINUATION && op != WS_OP_TEXT && op != WS_OP_BINARY && op != WS_OP_CLOSE &&
      op != WS_OP_PING && op != WS_OP_PONG) {
    return WS_PROTOCOL_ERROR;
  }
  uint64_t payload = b1 & 0x7F;
  size_t head = 2;
  if (payload == 126) {
    if (len < 4) return WS_NEED_MORE;
    payload = (uint64_t)buf[2] << 8 | buf[3];
    if (payload < 126) return WS_PROTOCOL_ERROR; /* not the minimal encoding */
    head = 4;
  } else if (payload == 127) {
    if (len < 10) return WS_NEED_MORE;
    payload = 0;
    for (unsigned i = 0; i < 8; i++) payload = payload << 8 | buf[2 + i];
    if (payload >> 63) return WS_PROTOCOL_ERROR;
    if (payload <= 0xFFFF) return WS_PROTOCOL_ERROR;
    head = 10;
  }
  if (op >= WS_OP_CLOSE && (payload > 125 || !header->fin)) return WS_PROTOCOL_ERROR;
  header->payload_len = payload;
  header->header_len = head;
  return WS_HEADER_OK;
}

size_t ws_encode_frame(uint8_t *out, size_t out_size, uint8_t opcode, const uint8_t *payload,
                       size_t len, const uint8_t mask[4]) {
  size_t head = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
  if (out_size < head + 4 + len) return 0;
  out[0] = (uint8_t)(0x80 | (opcode & 0x0F));
  if (len < 126) {
    out[1] = (uint8_t)(0x80 | len);
  } else if (len <= 0xFFFF) {
    out[1] = 0x80 | 126;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
  } else {
    out[1] = 0x80 | 127;
    for (unsigned i = 0; i < 8; i++) out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
  }
  memcpy(out + head, mask, 4);
  for (size_t i = 0; i < len; i++) out[head + 4 + i] = payload[i] ^ mask[i % 4];
  return head + 4 + len;
}

void ws_base64(const uint8_t *data, size_t len, char *out) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    const uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0u) |
                       (i + 2 < len ? data[i + 2] : 0u);
    out[o++] = alphabet[v >> 18 & 63];
    out[o++] = alphabet[v >> 12 & 63];
    out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
  }
  out[o] = '\0';
}

void ws_accept_for(const char *key, char out[29]) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  char joined[128];
  const size_t key_len = strnlen(key, sizeof(joined) - sizeof(guid));
  memcpy(joined, key, key_len);
  memcpy(joined + key_len, guid, sizeof(guid) - 1);
  uint8_t digest[20];
  sha1(joined, key_len + sizeof(guid) - 1, digest);
  ws_base64(digest, sizeof(digest), out);
}

void ws_reader_init(ws_reader_t *reader, uint8_t *in, size_t in_cap, uint8_t *msg, size_t msg_cap) {
  memset(reader, 0, sizeof(*reader));
  reader->in = in;
  reader->in_cap = in_cap;
  reader->msg = msg;
  reader->msg_cap = msg_cap;
}

uint8_t *ws_reader_space(ws_reader_t *reader, size_t *available) {
  *available = reader->in_cap - reader->in_len;
  return reader->in + reader->in_len;
}

void ws_reader_commit(ws_reader_t *reader, size_t n) {
  if (n > reader->in_cap - reader->in_len) n = reader->in_cap - reader->in_len;
  reader->in_len += n;
}

static void consume(ws_reader_t *reader, size_t n) {
  memmove(reader->in, reader->in + n, reader->in_len - n);
  reader->in_len -= n;
}

static ws_event_t event(ws_event_type_t type, const uint8_t *data, size_t len) {
  ws_event_t e;
  e.type = type;
  e.data = data;
  e.len = len;
  e.close_code = 0;
  return e;
}

ws_event_t ws_reader_next(ws_reader_t *reader) {
  for (;;) {
    ws_header_t h;
    switch (ws_parse_header(reader->in, reader->in_len, &h)) {
      case WS_NEED_MORE: return event(WS_EVENT_NONE, NULL, 0);
      case WS_PROTOCOL_ERROR: return event(WS_EVENT_ERROR, NULL, 0);
      case WS_HEADER_OK: break;
    }
    if (h.payload_len > reader->in_cap - h.header_len) return event(WS_EVENT_TOO_BIG, NULL, 0);
    const size_t len = (size_t)h.payload_len;
    const size_t total = h.header_len + len;
    if (reader->in_len < total) return event(WS_EVENT_NONE, NULL, 0);
    const uint8_t *payload = reader->in + h.header_len;

    if (h.opcode >= WS_OP_CLOSE) {
      memcpy(reader->control, payload, len);
      consume(reader, total);
      ws_event_t e = event(h.opcode == WS_OP_PING   ? WS_EVENT_PING
                           : h.opcode == WS_OP_PONG ? WS_EVENT_PONG
                                                    : WS_EVENT_CLOSE,
                           reader->control, len);
      if (h.opcode == WS_OP_CLOSE) {
        if (len == 1) return event(WS_EVENT_ERROR, NULL, 0);
        e.close_code = len >= 2 ? (uint16_t)((unsigned)reader->control[0] << 8 | reader->control[1]) : (uint16_t)1005;
      }
      return e;
    }
    if (h.opcode == WS_OP_CONTINUATION) {
      if (!reader->in_message) return event(WS_EVENT_ERROR, NULL, 0);
    } else {
      if (reader->in_message) return event(WS_EVENT_ERROR, NULL, 0);
      reader->in_message = true;
      reader->msg_opcode = h.opcode;
      reader->msg_len = 0;
    }
    if (len > reader->msg_cap - reader->msg_len) return event(WS_EVENT_TOO_BIG, NULL, 0);
    memcpy(reader->msg + reader->msg_len, payload, len);
    reader->msg_len += len;
    consume(reader, total);
    if (h.fin) {
      reader->in_message = false;
      return event(reader->msg_opcode == WS_OP_TEXT ? WS_EVENT_TEXT : WS_EVENT_BINARY,
                   reader->msg, reader->msg_len);
    }
  }
}
