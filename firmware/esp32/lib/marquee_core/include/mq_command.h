/*
 * Pause, resume and stop from the panel, and what became of them. One command at a time (the UI
 * greys its buttons while one is pending); it shows the command at once ("Pausing...") and then
 * its outcome: acknowledged, failed (with the server's error code) or timed out.
 *
 *   pause / resume  POST /api/dashboard/session/{id}/control {"action":..,"timeout_ms":5000}
 *                   200 means the web player playing the session applied it (acknowledged).
 *   stop            the same route with "stop"; when no player is connected to take it (409
 *                   PLAYER_NOT_CONNECTED, never delivered, so a retry is safe) the seed's
 *                   POST /api/dashboard/session/{id}/stop, which removes the session (200).
 *
 * Both routes need a user (display tokens are read-only and get 403): either a bearer token
 * configured as is, or a user name and password that the commander signs in with
 * (POST /api/v1/auth/token/) when it has no access token yet, and once more after a 401 when its
 * access token expired. The whole command, sign-in included, has MQ_CONTROL_TIMEOUT_MS +
 * MQ_CONTROL_GRACE_MS; a response that arrives after that, or for an older request, is ignored.
 */
#ifndef MQ_COMMAND_H
#define MQ_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marquee_limits.h"
#include "mq_http.h"
#include "mq_json.h"
#include "mq_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MQ_ACTION_PAUSE = 0, MQ_ACTION_RESUME, MQ_ACTION_STOP } mq_action_t;

typedef enum {
  MQ_CMD_IDLE = 0,
  MQ_CMD_PENDING,
  MQ_CMD_ACKED,
  MQ_CMD_FAILED,
  MQ_CMD_TIMEOUT
} mq_cmd_status_t;

typedef enum { MQ_STEP_LOGIN = 0, MQ_STEP_CONTROL, MQ_STEP_STOP_ROUTE } mq_cmd_step_t;

typedef struct {
  mq_json_arena_t *arena;
  /* credentials */
  char token[MQ_AUTH_TOKEN_BYTES + 1];    /* configured bearer token, "" for none */
  char username[MQ_CREDENTIAL_BYTES + 1];
  char password[MQ_CREDENTIAL_BYTES + 1];
  char access[MQ_AUTH_TOKEN_BYTES + 1];   /* from the last sign-in */
  /* the command */
  mq_cmd_status_t status;
  mq_action_t action;
  mq_cmd_step_t step;
  mq_cmd_step_t after_login;
  char session_id[MQ_SESSION_ID_BYTES + 1];
  bool request_ready;
  bool in_flight;
  bool signed_in_again;
  uint32_t seq;
  uint32_t started_at;
  uint32_t deadline;
  uint32_t finished_at;
  /** HTTP status of the last response, 0 before one (or on a network error). */
  int http_status;
  /** Server error code (PLAYER_NOT_CONNECTED, ...) or a local one (NETWORK, NO_CREDENTIALS). */
  char code[32];
  /** Server `detail`, cut to fit. */
  char detail[96];
} mq_commander_t;

/** `arena` parses the responses (it may be the frame parser's: parses never overlap). */
void mq_cmd_init(mq_commander_t *cmd, mq_json_arena_t *arena);

/**
 * Credentials: `token` is used as is when not empty; otherwise `username`/`password` sign in.
 * NULL counts as empty. MQ_ERR_NO_SPACE when one is too long, MQ_ERR_ARGUMENT for a token with
 * characters a header cannot carry.
 */
mq_status_t mq_cmd_set_credentials(mq_commander_t *cmd, const char *token, const char *username,
                                   const char *password);

/**
 * Starts `action` on session `session_id` (an id as received, not one flagged
 * MQ_SESSION_ID_TOO_LONG). MQ_ERR_BUSY while another command is pending; MQ_ERR_ARGUMENT for an
 * empty or too long id. Without credentials the command fails at once with code NO_CREDENTIALS.
 */
mq_status_t mq_cmd_begin(mq_commander_t *cmd, mq_action_t action, const char *session_id,
                         uint32_t now);

/** The next request to send, if there is one now (each is handed out once). */
bool mq_cmd_next_request(mq_commander_t *cmd, mq_http_request_t *req);

/** The response to request `seq`: its HTTP status and body (need not be NUL-terminated). */
void mq_cmd_on_response(mq_commander_t *cmd, uint32_t seq, int http_status, const char *body,
                        size_t body_len, uint32_t now);

/** Request `seq` could not be sent or answered (connect refused, reset, ...). */
void mq_cmd_on_network_error(mq_commander_t *cmd, uint32_t seq, uint32_t now);

/** Times the pending command out once its deadline passed. */
void mq_cmd_tick(mq_commander_t *cmd, uint32_t now);

/** "pause", "resume", "stop". */
const char *mq_action_name(mq_action_t action);

/** "idle", "pending", "acked", "failed", "timeout". */
const char *mq_cmd_status_name(mq_cmd_status_t status);

/**
 * What the panel shows for the command: "Pausing…", "Paused", "Pause failed: PLAYER_ERROR",
 * "Stop timed out", "" when idle. Returns the length.
 */
size_t mq_cmd_describe(const mq_commander_t *cmd, char *dst, size_t dst_size);

#ifdef __cplusplus
}
#endif

#endif /* MQ_COMMAND_H */
