#include "mq_command.h"

#include <stdio.h>
#include <string.h>

#include "mq_clock.h"
#include "mq_cjson.h"
#include "mq_utf8.h"

static bool copy_str(char *dst, size_t dst_size, const char *src) {
  const size_t len = src == NULL ? 0 : strlen(src);
  if (len >= dst_size) return false;
  if (len > 0) memcpy(dst, src, len);
  dst[len] = '\0';
  return true;
}

/* A token goes into a header line: printable ASCII only. */
static bool usable_token(const char *token, size_t len) {
  if (len == 0 || len > MQ_AUTH_TOKEN_BYTES) return false;
  for (size_t i = 0; i < len; i++) {
    const unsigned char c = (unsigned char)token[i];
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

void mq_cmd_init(mq_commander_t *cmd, mq_json_arena_t *arena) {
  memset(cmd, 0, sizeof(*cmd));
  cmd->arena = arena;
  cmd->status = MQ_CMD_IDLE;
}

mq_status_t mq_cmd_set_credentials(mq_commander_t *cmd, const char *token, const char *username,
                                   const char *password) {
  if (token != NULL && token[0] != '\0' && !usable_token(token, strlen(token))) {
    return strlen(token) > MQ_AUTH_TOKEN_BYTES ? MQ_ERR_NO_SPACE : MQ_ERR_ARGUMENT;
  }
  if (!copy_str(cmd->token, sizeof(cmd->token), token) ||
      !copy_str(cmd->username, sizeof(cmd->username), username) ||
      !copy_str(cmd->password, sizeof(cmd->password), password)) {
    cmd->token[0] = cmd->username[0] = cmd->password[0] = '\0';
    return MQ_ERR_NO_SPACE;
  }
  cmd->access[0] = '\0';
  return MQ_OK;
}

static void finish(mq_commander_t *cmd, mq_cmd_status_t status, const char *code, uint32_t now) {
  cmd->status = status;
  cmd->request_ready = false;
  cmd->in_flight = false;
  cmd->finished_at = now;
  copy_str(cmd->code, sizeof(cmd->code), code);
}

static void next_step(mq_commander_t *cmd, mq_cmd_step_t step) {
  cmd->step = step;
  cmd->request_ready = true;
  cmd->in_flight = false;
}

mq_status_t mq_cmd_begin(mq_commander_t *cmd, mq_action_t action, const char *session_id,
                         uint32_t now) {
  if (cmd->status == MQ_CMD_PENDING) return MQ_ERR_BUSY;
  if (session_id == NULL || session_id[0] == '\0') return MQ_ERR_ARGUMENT;
  if (!copy_str(cmd->session_id, sizeof(cmd->session_id), session_id)) return MQ_ERR_ARGUMENT;
  cmd->action = action;
  cmd->status = MQ_CMD_PENDING;
  cmd->seq++;
  cmd->started_at = now;
  cmd->deadline = now + MQ_CONTROL_TIMEOUT_MS + MQ_CONTROL_GRACE_MS;
  cmd->http_status = 0;
  cmd->code[0] = '\0';
  cmd->detail[0] = '\0';
  cmd->signed_in_again = false;
  if (cmd->token[0] == '\0' && cmd->access[0] == '\0' && cmd->username[0] == '\0') {
    finish(cmd, MQ_CMD_FAILED, "NO_CREDENTIALS", now);
    return MQ_OK;
  }
  cmd->after_login = MQ_STEP_CONTROL;
  next_step(cmd, cmd->token[0] != '\0' || cmd->access[0] != '\0' ? MQ_STEP_CONTROL : MQ_STEP_LOGIN);
  return MQ_OK;
}

static const char *bearer(const mq_commander_t *cmd) {
  return cmd->token[0] != '\0' ? cmd->token : cmd->access;
}

static bool build(const mq_commander_t *cmd, mq_http_request_t *req) {
  memset(req, 0, sizeof(*req));
  req->method = "POST";
  req->seq = cmd->seq;
  int n;
  if (cmd->step == MQ_STEP_LOGIN) {
    char user[MQ_HTTP_REQUEST_BODY_BYTES / 2u];
    char pass[MQ_HTTP_REQUEST_BODY_BYTES / 2u];
    if (mq_json_quote(user, sizeof(user), cmd->username) == 0 ||
        mq_json_quote(pass, sizeof(pass), cmd->password) == 0) {
      return false;
    }
    n = snprintf(req->path, sizeof(req->path), "/api/v1/auth/token/");
    if (n < 0) return false;
    req->content_type = "application/json";
    n = snprintf(req->body, sizeof(req->body), "{\"username\":%s,\"password\":%s}", user, pass);
    if (n < 0 || (size_t)n >= sizeof(req->body)) return false;
    req->body_len = (size_t)n;
    return true;
  }
  char id[MQ_HTTP_PATH_BYTES];
  if (mq_url_encode(id, sizeof(id), cmd->session_id, strlen(cmd->session_id)) == 0) return false;
  n = snprintf(req->authorization, sizeof(req->authorization), "Bearer %s", bearer(cmd));
  if (n < 0 || (size_t)n >= sizeof(req->authorization)) return false;
  if (cmd->step == MQ_STEP_STOP_ROUTE) {
    n = snprintf(req->path, sizeof(req->path), "/api/dashboard/session/%s/stop", id);
    return n > 0 && (size_t)n < sizeof(req->path);
  }
  n = snprintf(req->path, sizeof(req->path), "/api/dashboard/session/%s/control", id);
  if (n < 0 || (size_t)n >= sizeof(req->path)) return false;
  req->content_type = "application/json";
  n = snprintf(req->body, sizeof(req->body), "{\"action\":\"%s\",\"timeout_ms\":%u}",
               mq_action_name(cmd->action), MQ_CONTROL_TIMEOUT_MS);
  if (n < 0 || (size_t)n >= sizeof(req->body)) return false;
  req->body_len = (size_t)n;
  return true;
}

bool mq_cmd_next_request(mq_commander_t *cmd, mq_http_request_t *req) {
  if (cmd->status != MQ_CMD_PENDING || !cmd->request_ready) return false;
  if (!build(cmd, req)) {
    finish(cmd, MQ_CMD_FAILED, "REQUEST_TOO_LARGE", cmd->started_at);
    return false;
  }
  cmd->request_ready = false;
  cmd->in_flight = true;
  return true;
}

/* The string `key` of a JSON object body, or NULL (the tree lives in the arena). */
static const char *body_string(mq_commander_t *cmd, const char *body, size_t len, const char *key,
                               const cJSON **root_out) {
  cJSON *root = NULL;
  if (cmd->arena == NULL ||
      mq_json_parse(cmd->arena, body, len, MQ_HTTP_BODY_BYTES, &root) != MQ_OK ||
      !cJSON_IsObject(root)) {
    return NULL;
  }
  if (root_out != NULL) *root_out = root;
  const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, key);
  return cJSON_IsString(value) ? value->valuestring : NULL;
}

/* Keeps the `{detail, code}` of an error answer. */
static void read_error(mq_commander_t *cmd, const char *body, size_t len) {
  const cJSON *root = NULL;
  const char *code = body_string(cmd, body, len, "code", &root);
  if (code != NULL && usable_token(code, strlen(code))) copy_str(cmd->code, sizeof(cmd->code), code);
  if (root != NULL) {
    const cJSON *detail = cJSON_GetObjectItemCaseSensitive(root, "detail");
    if (cJSON_IsString(detail)) {
      mq_utf8_copy(cmd->detail, sizeof(cmd->detail), detail->valuestring,
                   strlen(detail->valuestring), NULL);
    }
  }
}

static const char *status_code(int http_status) {
  switch (http_status) {
    case 400: return "BAD_REQUEST";
    case 401: return "UNAUTHORIZED";
    case 403: return "FORBIDDEN";
    case 404: return "NOT_FOUND";
    case 409: return "CONFLICT";
    case 502: return "BAD_GATEWAY";
    case 503: return "UNAVAILABLE";
    case 504: return "UPSTREAM_TIMEOUT";
    default: return "HTTP_ERROR";
  }
}

void mq_cmd_on_response(mq_commander_t *cmd, uint32_t seq, int http_status, const char *body,
                        size_t body_len, uint32_t now) {
  if (cmd->status != MQ_CMD_PENDING || !cmd->in_flight || seq != cmd->seq) return;
  cmd->in_flight = false;
  cmd->http_status = http_status;

  if (cmd->step == MQ_STEP_LOGIN) {
    const char *access =
        http_status == 200 ? body_string(cmd, body, body_len, "access", NULL) : NULL;
    if (access == NULL || !usable_token(access, strlen(access))) {
      if (http_status != 200) read_error(cmd, body, body_len);
      finish(cmd, MQ_CMD_FAILED, "LOGIN_FAILED", now);
      return;
    }
    copy_str(cmd->access, sizeof(cmd->access), access);
    next_step(cmd, cmd->after_login);
    return;
  }

  if (http_status == 200) {
    finish(cmd, MQ_CMD_ACKED, "", now);
    return;
  }
  if (http_status == 401 && cmd->token[0] == '\0' && cmd->username[0] != '\0' &&
      !cmd->signed_in_again) {
    /* The access token expired: sign in once more and repeat this step. */
    cmd->signed_in_again = true;
    cmd->access[0] = '\0';
    cmd->after_login = cmd->step;
    next_step(cmd, MQ_STEP_LOGIN);
    return;
  }
  cmd->code[0] = '\0';
  read_error(cmd, body, body_len);
  if (cmd->step == MQ_STEP_CONTROL && cmd->action == MQ_ACTION_STOP && http_status == 409 &&
      strcmp(cmd->code, "PLAYER_NOT_CONNECTED") == 0) {
    next_step(cmd, MQ_STEP_STOP_ROUTE);
    return;
  }
  finish(cmd, MQ_CMD_FAILED, cmd->code[0] != '\0' ? cmd->code : status_code(http_status), now);
}

void mq_cmd_on_network_error(mq_commander_t *cmd, uint32_t seq, uint32_t now) {
  if (cmd->status != MQ_CMD_PENDING || !cmd->in_flight || seq != cmd->seq) return;
  cmd->http_status = 0;
  finish(cmd, MQ_CMD_FAILED, "NETWORK", now);
}

void mq_cmd_tick(mq_commander_t *cmd, uint32_t now) {
  if (cmd->status == MQ_CMD_PENDING && mq_reached(now, cmd->deadline)) {
    finish(cmd, MQ_CMD_TIMEOUT, "TIMEOUT", now);
  }
}

const char *mq_action_name(mq_action_t action) {
  switch (action) {
    case MQ_ACTION_PAUSE: return "pause";
    case MQ_ACTION_RESUME: return "resume";
    case MQ_ACTION_STOP: return "stop";
  }
  return "?";
}

const char *mq_cmd_status_name(mq_cmd_status_t status) {
  switch (status) {
    case MQ_CMD_IDLE: return "idle";
    case MQ_CMD_PENDING: return "pending";
    case MQ_CMD_ACKED: return "acked";
    case MQ_CMD_FAILED: return "failed";
    case MQ_CMD_TIMEOUT: return "timeout";
  }
  return "?";
}

size_t mq_cmd_describe(const mq_commander_t *cmd, char *dst, size_t dst_size) {
  static const char *const ongoing[] = {"Pausing\xE2\x80\xA6", "Resuming\xE2\x80\xA6",
                                        "Stopping\xE2\x80\xA6"};
  static const char *const done[] = {"Paused", "Resumed", "Stopped"};
  static const char *const verb[] = {"Pause", "Resume", "Stop"};
  if (dst == NULL || dst_size == 0) return 0;
  const unsigned a = (unsigned)cmd->action <= 2u ? (unsigned)cmd->action : 2u;
  int n = 0;
  switch (cmd->status) {
    case MQ_CMD_IDLE: dst[0] = '\0'; return 0;
    case MQ_CMD_PENDING: n = snprintf(dst, dst_size, "%s", ongoing[a]); break;
    case MQ_CMD_ACKED: n = snprintf(dst, dst_size, "%s", done[a]); break;
    case MQ_CMD_FAILED: n = snprintf(dst, dst_size, "%s failed: %s", verb[a], cmd->code); break;
    case MQ_CMD_TIMEOUT: n = snprintf(dst, dst_size, "%s timed out", verb[a]); break;
  }
  if (n < 0) {
    dst[0] = '\0';
    return 0;
  }
  return (size_t)n < dst_size ? (size_t)n : dst_size - 1u;
}
