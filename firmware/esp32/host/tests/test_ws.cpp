// The harness's WebSocket framing and HTTP reading (harness code, not panel code, but the
// end-to-end test relies on it, so it is tested like the core).
#include "check.hpp"
#include "support.hpp"

extern "C" {
#include "http_response.h"
#include "sha1.h"
#include "ws_frame.h"
}

namespace {

std::string hex(const uint8_t *d, size_t n) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; i++) {
    out += digits[d[i] >> 4];
    out += digits[d[i] & 15];
  }
  return out;
}

std::vector<uint8_t> server_frame(uint8_t first, const std::string &payload) {
  std::vector<uint8_t> f = {first};
  if (payload.size() < 126) {
    f.push_back((uint8_t)payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f.push_back(126);
    f.push_back((uint8_t)(payload.size() >> 8));
    f.push_back((uint8_t)payload.size());
  } else {
    f.push_back(127);
    for (int i = 7; i >= 0; i--) f.push_back((uint8_t)((uint64_t)payload.size() >> (8 * i)));
  }
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

struct Reader {
  std::vector<uint8_t> in = std::vector<uint8_t>(70000);
  std::vector<uint8_t> msg = std::vector<uint8_t>(65536);
  ws_reader_t r;
  Reader() { ws_reader_init(&r, in.data(), in.size(), msg.data(), msg.size()); }
  void feed(const std::vector<uint8_t> &bytes) {
    size_t avail;
    uint8_t *space = ws_reader_space(&r, &avail);
    CHECK(bytes.size() <= avail);
    memcpy(space, bytes.data(), bytes.size());
    ws_reader_commit(&r, bytes.size());
  }
};

}  // namespace

TEST(ws, sha1_and_the_rfc_6455_accept_key) {
  uint8_t d[20];
  sha1("abc", 3, d);
  CHECK_STR(hex(d, 20), "a9993e364706816aba3e25717850c26c9cd0d89d");
  sha1("", 0, d);
  CHECK_STR(hex(d, 20), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  const std::string million(1000000, 'a');
  sha1(million.data(), million.size(), d);
  CHECK_STR(hex(d, 20), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  char accept[29];
  ws_accept_for("dGhlIHNhbXBsZSBub25jZQ==", accept);  // RFC 6455, section 1.3
  CHECK_STR(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws, encodes_masked_client_frames) {
  const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  uint8_t out[256];
  const size_t n = ws_encode_frame(out, sizeof(out), WS_OP_TEXT, (const uint8_t *)"Hello", 5, mask);
  CHECK_STR(hex(out, n), "818537fa213d7f9f4d5158");  // RFC 6455, section 5.7
  std::vector<uint8_t> big(300, 'x'), frame(400);
  CHECK_EQ(ws_encode_frame(frame.data(), frame.size(), WS_OP_BINARY, big.data(), big.size(), mask),
           4u + 4u + 300u);
  CHECK_EQ(frame[1], 0x80 | 126);
  CHECK_EQ(ws_encode_frame(out, 8, WS_OP_TEXT, (const uint8_t *)"Hello", 5, mask), 0u);
}

TEST(ws, reads_messages_fragments_and_interleaved_control_frames) {
  Reader rd;
  auto a = server_frame(0x01, "frag-");       // text, not FIN
  auto ping = server_frame(0x89, "p");        // ping between fragments
  auto b = server_frame(0x80, "ment");        // continuation, FIN
  auto big = server_frame(0x81, std::string(70, 'x') + std::string(200, 'y'));
  auto huge = server_frame(0x81, std::string(66000 - 14, 'z'));  // 64-bit length
  (void)huge;
  std::vector<uint8_t> all;
  for (auto *f : {&a, &ping, &b, &big}) all.insert(all.end(), f->begin(), f->end());
  // Byte by byte: the reader must wait for complete frames.
  std::vector<std::string> got;
  for (uint8_t byte : all) {
    rd.feed({byte});
    for (ws_event_t e = ws_reader_next(&rd.r); e.type != WS_EVENT_NONE; e = ws_reader_next(&rd.r)) {
      got.push_back(std::to_string(e.type) + ":" + std::string((const char *)e.data, e.len));
    }
  }
  CHECK_EQ(got.size(), 3u);
  if (got.size() == 3) {
    CHECK_STR(got[0], std::to_string(WS_EVENT_PING) + ":p");
    CHECK_STR(got[1], std::to_string(WS_EVENT_TEXT) + ":frag-ment");
    CHECK_EQ(got[2].size(), 2u + 270u);
  }
  CHECK_EQ(rd.r.in_len, 0u);
}

TEST(ws, reads_close_codes_and_refuses_protocol_errors) {
  {
    Reader rd;
    rd.feed(server_frame(0x88, std::string("\x03\xe8" "bye", 5)));
    const ws_event_t e = ws_reader_next(&rd.r);
    CHECK_EQ(e.type, WS_EVENT_CLOSE);
    CHECK_EQ(e.close_code, 1000u);
  }
  {
    Reader rd;
    rd.feed(server_frame(0x88, ""));
    CHECK_EQ(ws_reader_next(&rd.r).close_code, 1005u);
  }
  const std::vector<std::vector<uint8_t>> bad = {
      {0x81, 0x81, 1, 2, 3, 4, 'x'},                   // masked by the server
      {0xC1, 0x01, 'x'},                               // RSV1 without an extension
      {0x83, 0x00},                                    // reserved opcode
      {0x09, 0x00},                                    // fragmented control frame
      {0x89, 126, 0, 126},                             // control frame over 125 bytes
      {0x81, 126, 0, 5, 'a', 'b', 'c', 'd', 'e'},      // non-minimal length
      {0x80, 0x01, 'x'},                               // continuation without a start
      {0x88, 0x01, 0x03},                              // close with a 1-byte payload
  };
  for (const auto &frame : bad) {
    Reader rd;
    rd.feed(frame);
    CHECK_EQ(ws_reader_next(&rd.r).type, WS_EVENT_ERROR);
  }
  Reader rd;
  rd.feed(server_frame(0x01, "a"));
  rd.feed(server_frame(0x81, "b"));  // a new message before the first one finished
  CHECK_EQ(ws_reader_next(&rd.r).type, WS_EVENT_ERROR);
}

TEST(ws, refuses_messages_larger_than_its_buffer) {
  std::vector<uint8_t> in(1024), msg(100);
  ws_reader_t r;
  ws_reader_init(&r, in.data(), in.size(), msg.data(), msg.size());
  auto frame = server_frame(0x81, std::string(200, 'x'));
  size_t avail;
  memcpy(ws_reader_space(&r, &avail), frame.data(), frame.size());
  ws_reader_commit(&r, frame.size());
  CHECK_EQ(ws_reader_next(&r).type, WS_EVENT_TOO_BIG);
  ws_reader_init(&r, in.data(), in.size(), msg.data(), msg.size());
  const uint8_t header[] = {0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0};  // 64 KB frame, 1 KB buffer
  memcpy(ws_reader_space(&r, &avail), header, sizeof(header));
  ws_reader_commit(&r, sizeof(header));
  CHECK_EQ(ws_reader_next(&r).type, WS_EVENT_TOO_BIG);
}

TEST(ws, reads_http_responses) {
  std::string plain =
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 11\r\n\r\n"
      "{\"ok\":true}";
  http_response_t r;
  CHECK_EQ(http_parse_response(&plain[0], plain.size(), &r), 0);
  CHECK_EQ(r.status, 200);
  CHECK_STR(std::string(r.body, r.body_len), "{\"ok\":true}");
  std::string chunked =
      "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n"
      "3\r\n:1}\r\n0\r\n\r\n";
  CHECK_EQ(http_parse_response(&chunked[0], chunked.size(), &r), 0);
  CHECK_EQ(r.status, 409);
  CHECK_STR(std::string(r.body, r.body_len), "{\"a\":1}");
  std::string cut = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort";
  CHECK_EQ(http_parse_response(&cut[0], cut.size(), &r), -1);
  std::string bad_chunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
  CHECK_EQ(http_parse_response(&bad_chunk[0], bad_chunk.size(), &r), -1);
  std::string not_http = "SSH-2.0-OpenSSH\r\n\r\n";
  CHECK_EQ(http_parse_response(&not_http[0], not_http.size(), &r), -1);
  char value[64];
  const std::string head = "HTTP/1.1 101 Switching\r\nUPGRADE:  websocket \r\n\r\n";
  CHECK(http_header(head.data(), head.size(), "Upgrade", value, sizeof(value)));
  CHECK_STR(value, "websocket");
  CHECK(!http_header(head.data(), head.size(), "Sec-WebSocket-Accept", value, sizeof(value)));
}
