#include "check.hpp"
#include "support.hpp"

namespace {

struct Cmd {
  support::Arena arena;
  mq_commander_t cmd;
  mq_http_request_t req;
  Cmd() { mq_cmd_init(&cmd, arena.get()); }
  bool next() { return mq_cmd_next_request(&cmd, &req); }
  void answer(int status, const std::string &body, uint32_t now = 10) {
    support::Exact exact(body);
    mq_cmd_on_response(&cmd, req.seq, status, exact.data, exact.len, now);
  }
  std::string describe() {
    char text[128];
    mq_cmd_describe(&cmd, text, sizeof(text));
    return text;
  }
};

const char *ACK =
    "{\"status\":\"ok\",\"command_id\":\"c1\",\"session_id\":\"s 1\",\"action\":\"pause\","
    "\"acknowledged\":true}";

}  // namespace

TEST(command, pause_builds_the_control_request_and_is_acknowledged) {
  Cmd c;
  CHECK_EQ(mq_cmd_set_credentials(&c.cmd, "jwt.token.value", nullptr, nullptr), MQ_OK);
  CHECK_EQ(mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "s 1/é", 0), MQ_OK);
  CHECK_EQ(c.cmd.status, MQ_CMD_PENDING);
  CHECK_STR(c.describe(), "Pausing…");
  CHECK(c.next());
  CHECK(!c.next());  // handed out once
  CHECK_STR(c.req.method, "POST");
  CHECK_STR(c.req.path, "/api/dashboard/session/s%201%2F%C3%A9/control");
  CHECK_STR(c.req.authorization, "Bearer jwt.token.value");
  CHECK_STR(c.req.content_type, "application/json");
  CHECK_STR(std::string(c.req.body, c.req.body_len), "{\"action\":\"pause\",\"timeout_ms\":5000}");
  c.answer(200, ACK);
  CHECK_EQ(c.cmd.status, MQ_CMD_ACKED);
  CHECK_EQ(c.cmd.http_status, 200);
  CHECK_STR(c.describe(), "Paused");
}

TEST(command, a_refusal_fails_with_the_servers_code) {
  Cmd c;
  mq_cmd_set_credentials(&c.cmd, "t", nullptr, nullptr);
  mq_cmd_begin(&c.cmd, MQ_ACTION_RESUME, "s", 0);
  c.next();
  CHECK_STR(std::string(c.req.body, c.req.body_len), "{\"action\":\"resume\",\"timeout_ms\":5000}");
  c.answer(502, "{\"detail\":\"Video element is gone\",\"code\":\"PLAYER_ERROR\"}");
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);
  CHECK_STR(c.cmd.code, "PLAYER_ERROR");
  CHECK_STR(c.cmd.detail, "Video element is gone");
  CHECK_STR(c.describe(), "Resume failed: PLAYER_ERROR");
  // A body that is not the error shape still fails, with the status's name.
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "s", 20);
  c.next();
  c.answer(504, "<html>gateway</html>");
  CHECK_STR(c.cmd.code, "UPSTREAM_TIMEOUT");
}

TEST(command, stop_falls_back_to_the_stop_route_when_no_player_takes_it) {
  Cmd c;
  mq_cmd_set_credentials(&c.cmd, "t", nullptr, nullptr);
  mq_cmd_begin(&c.cmd, MQ_ACTION_STOP, "movie-1", 0);
  c.next();
  CHECK_STR(c.req.path, "/api/dashboard/session/movie-1/control");
  c.answer(409, "{\"detail\":\"No player is connected\",\"code\":\"PLAYER_NOT_CONNECTED\"}");
  CHECK_EQ(c.cmd.status, MQ_CMD_PENDING);
  CHECK(c.next());
  CHECK_STR(c.req.path, "/api/dashboard/session/movie-1/stop");
  CHECK(c.req.content_type == nullptr);
  CHECK_EQ(c.req.body_len, 0u);
  CHECK_STR(c.req.authorization, "Bearer t");
  c.answer(200, "{\"status\":\"ok\",\"message\":\"Session stopped\"}");
  CHECK_EQ(c.cmd.status, MQ_CMD_ACKED);
  CHECK_STR(c.describe(), "Stopped");
}

TEST(command, pause_does_not_fall_back_on_409) {
  Cmd c;
  mq_cmd_set_credentials(&c.cmd, "t", nullptr, nullptr);
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "movie-1", 0);
  c.next();
  c.answer(409, "{\"detail\":\"x\",\"code\":\"PLAYER_NOT_CONNECTED\"}");
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);
  CHECK_STR(c.cmd.code, "PLAYER_NOT_CONNECTED");
}

TEST(command, signs_in_first_and_again_once_after_a_401) {
  Cmd c;
  CHECK_EQ(mq_cmd_set_credentials(&c.cmd, "", "admin", "pa\"ss\\word"), MQ_OK);
  mq_cmd_begin(&c.cmd, MQ_ACTION_STOP, "m", 0);
  CHECK(c.next());
  CHECK_STR(c.req.path, "/api/v1/auth/token/");
  CHECK_STR(c.req.authorization, "");
  CHECK_STR(std::string(c.req.body, c.req.body_len),
            "{\"username\":\"admin\",\"password\":\"pa\\\"ss\\\\word\"}");
  c.answer(200, "{\"access\":\"eyJ.one\",\"refresh\":\"eyJ.r\"}");
  CHECK(c.next());
  CHECK_STR(c.req.path, "/api/dashboard/session/m/control");
  CHECK_STR(c.req.authorization, "Bearer eyJ.one");
  c.answer(200, "{}");
  CHECK_EQ(c.cmd.status, MQ_CMD_ACKED);
  // The next command reuses the access token; when it expired, one more sign-in, then the step again.
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 100);
  CHECK(c.next());
  CHECK_STR(c.req.authorization, "Bearer eyJ.one");
  c.answer(401, "{\"detail\":\"Token expired\",\"code\":\"UNAUTHORIZED\"}");
  CHECK(c.next());
  CHECK_STR(c.req.path, "/api/v1/auth/token/");
  c.answer(200, "{\"access\":\"eyJ.two\"}");
  CHECK(c.next());
  CHECK_STR(c.req.path, "/api/dashboard/session/m/control");
  CHECK_STR(c.req.authorization, "Bearer eyJ.two");
  c.answer(401, "{\"detail\":\"no\",\"code\":\"UNAUTHORIZED\"}");
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);  // only once
  CHECK_STR(c.cmd.code, "UNAUTHORIZED");
}

TEST(command, a_bad_login_fails_and_a_configured_token_is_never_replaced) {
  Cmd c;
  mq_cmd_set_credentials(&c.cmd, "", "admin", "wrong");
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 0);
  c.next();
  c.answer(401, "{\"detail\":\"No active account\"}");
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);
  CHECK_STR(c.cmd.code, "LOGIN_FAILED");
  mq_cmd_set_credentials(&c.cmd, "static", "admin", "pw");
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 0);
  c.next();
  CHECK_STR(c.req.authorization, "Bearer static");
  c.answer(401, "{}");
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);
  CHECK_STR(c.cmd.code, "UNAUTHORIZED");
  // A login answer whose token could break a header line is refused.
  mq_cmd_set_credentials(&c.cmd, "", "admin", "pw");
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 0);
  c.next();
  c.answer(200, "{\"access\":\"a\\r\\nX-Evil: 1\"}");
  CHECK_STR(c.cmd.code, "LOGIN_FAILED");
}

TEST(command, times_out_and_ignores_late_or_stale_answers) {
  Cmd c;
  mq_cmd_set_credentials(&c.cmd, "t", nullptr, nullptr);
  mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 1000);
  c.next();
  const uint32_t seq = c.req.seq;
  mq_cmd_tick(&c.cmd, 1000 + MQ_CONTROL_TIMEOUT_MS + MQ_CONTROL_GRACE_MS - 1);
  CHECK_EQ(c.cmd.status, MQ_CMD_PENDING);
  mq_cmd_tick(&c.cmd, 1000 + MQ_CONTROL_TIMEOUT_MS + MQ_CONTROL_GRACE_MS);
  CHECK_EQ(c.cmd.status, MQ_CMD_TIMEOUT);
  CHECK_STR(c.describe(), "Pause timed out");
  c.answer(200, ACK);  // too late
  CHECK_EQ(c.cmd.status, MQ_CMD_TIMEOUT);
  // A new command; the old request's answer must not settle it.
  mq_cmd_begin(&c.cmd, MQ_ACTION_STOP, "m", 20000);
  c.next();
  support::Exact ack{std::string(ACK)};
  mq_cmd_on_response(&c.cmd, seq, 200, ack.data, ack.len, 20001);
  CHECK_EQ(c.cmd.status, MQ_CMD_PENDING);
  mq_cmd_on_network_error(&c.cmd, c.req.seq, 20002);
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);
  CHECK_STR(c.cmd.code, "NETWORK");
}

TEST(command, one_at_a_time_and_only_with_credentials_and_a_usable_id) {
  Cmd c;
  CHECK_EQ(mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 0), MQ_OK);
  CHECK_EQ(c.cmd.status, MQ_CMD_FAILED);
  CHECK_STR(c.cmd.code, "NO_CREDENTIALS");
  CHECK(!c.next());
  mq_cmd_set_credentials(&c.cmd, "t", nullptr, nullptr);
  CHECK_EQ(mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "", 0), MQ_ERR_ARGUMENT);
  CHECK_EQ(mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, std::string(MQ_SESSION_ID_BYTES + 1, 'x').c_str(), 0),
           MQ_ERR_ARGUMENT);
  CHECK_EQ(mq_cmd_begin(&c.cmd, MQ_ACTION_PAUSE, "m", 0), MQ_OK);
  CHECK_EQ(mq_cmd_begin(&c.cmd, MQ_ACTION_STOP, "m", 0), MQ_ERR_BUSY);
  // An id of the maximum length still fits the path, fully encoded.
  Cmd d;
  mq_cmd_set_credentials(&d.cmd, "t", nullptr, nullptr);
  const std::string worst(MQ_SESSION_ID_BYTES, '/');
  CHECK_EQ(mq_cmd_begin(&d.cmd, MQ_ACTION_STOP, worst.c_str(), 0), MQ_OK);
  CHECK(d.next());
  CHECK_EQ(strlen(d.req.path), strlen("/api/dashboard/session//control") + 3u * MQ_SESSION_ID_BYTES);
  // Credentials that do not fit, or a token that would break a header, are refused.
  CHECK_EQ(mq_cmd_set_credentials(&d.cmd, "bad token", nullptr, nullptr), MQ_ERR_ARGUMENT);
  CHECK_EQ(mq_cmd_set_credentials(&d.cmd, nullptr, std::string(100, 'u').c_str(), "p"),
           MQ_ERR_NO_SPACE);
}
