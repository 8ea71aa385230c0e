#include "check.hpp"
#include "support.hpp"

TEST(http, url_encodes_everything_but_unreserved_characters) {
  char out[64];
  CHECK_EQ(mq_url_encode(out, sizeof(out), "a-b_c.d~e", 9), 9u);
  CHECK_STR(out, "a-b_c.d~e");
  mq_url_encode(out, sizeof(out), "a b/c?d#é", strlen("a b/c?d#é"));
  CHECK_STR(out, "a%20b%2Fc%3Fd%23%C3%A9");
  char tiny[4];
  CHECK_EQ(mq_url_encode(tiny, sizeof(tiny), "a b", 3), 0u);
  CHECK_STR(tiny, "");
}

TEST(http, quotes_json_strings) {
  char out[64];
  mq_json_quote(out, sizeof(out), "a\"b\\c\n\x01");
  CHECK_STR(out, "\"a\\\"b\\\\c\\u000A\\u0001\"");
  char tiny[4];
  CHECK_EQ(mq_json_quote(tiny, sizeof(tiny), "abcd"), 0u);
}

TEST(http, builds_the_compact_websocket_path) {
  char path[128];
  CHECK_EQ(mq_ws_path(path, sizeof(path), nullptr), MQ_OK);
  CHECK_STR(path, "/api/dashboard/ws?profile=compact");
  CHECK_EQ(mq_ws_path(path, sizeof(path), "mqd_abc+/="), MQ_OK);
  CHECK_STR(path, "/api/dashboard/ws?profile=compact&token=mqd_abc%2B%2F%3D");
  CHECK_EQ(mq_ws_path(path, 20, nullptr), MQ_ERR_NO_SPACE);
}

TEST(http, requests_the_poster_thumbnail) {
  mq_http_request_t req;
  CHECK_EQ(mq_http_thumb_request(&req, "/api/media/thumb/a.jpg?width=150&height=225"), MQ_OK);
  CHECK_STR(req.method, "GET");
  CHECK_STR(req.path, "/api/media/thumb/a.jpg?width=150&height=225");
  CHECK_EQ(mq_http_thumb_request(&req, "/api/media/thumb/b.jpg"), MQ_OK);
  CHECK_STR(req.path, "/api/media/thumb/b.jpg?width=150&height=225");
  CHECK_EQ(mq_http_thumb_request(&req, "http://x/"), MQ_ERR_ARGUMENT);
}

TEST(http, serialises_requests_as_http_1_1) {
  mq_http_request_t req;
  memset(&req, 0, sizeof(req));
  req.method = "POST";
  strcpy(req.path, "/api/dashboard/session/m/control");
  strcpy(req.authorization, "Bearer t");
  req.content_type = "application/json";
  strcpy(req.body, "{\"action\":\"stop\"}");
  req.body_len = strlen(req.body);
  char out[512];
  const size_t n = mq_http_serialize(&req, "127.0.0.1", 8000, out, sizeof(out));
  CHECK_STR(std::string(out, n),
            "POST /api/dashboard/session/m/control HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
            "Authorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 17\r\n"
            "Connection: close\r\n\r\n{\"action\":\"stop\"}");
  // A POST without a body still says Content-Length: 0 (and no Content-Type).
  req.content_type = nullptr;
  req.body_len = 0;
  const size_t m = mq_http_serialize(&req, "h", 1, out, sizeof(out));
  CHECK_CONTAINS(std::string(out, m), "Content-Length: 0\r\n");
  CHECK(std::string(out, m).find("Content-Type") == std::string::npos);
  CHECK_EQ(mq_http_serialize(&req, "h", 1, out, 40), 0u);
}
