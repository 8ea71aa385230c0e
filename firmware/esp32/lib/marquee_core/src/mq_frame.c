#include "mq_frame.h"

#include <math.h>
#include <string.h>

#include "mq_cjson.h"
#include "mq_utf8.h"

/* Largest integer a double holds exactly; the server's numbers never come near it. */
#define MAX_EXACT 9007199254740992.0

typedef struct {
  mq_parse_error_t *error;
  int session;
} ctx_t;

static mq_status_t fail(ctx_t *ctx, mq_status_t status, const char *field) {
  if (ctx->error != NULL) {
    ctx->error->field = field;
    ctx->error->session = ctx->session;
  }
  return status;
}

static const cJSON *item(const cJSON *object, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(object, key);
}

/* A required finite number, >= `min`. */
static mq_status_t number(ctx_t *ctx, const cJSON *object, const char *key, double min,
                          double *out) {
  const cJSON *value = item(object, key);
  if (value == NULL) return fail(ctx, MQ_ERR_MISSING_FIELD, key);
  if (!cJSON_IsNumber(value)) return fail(ctx, MQ_ERR_BAD_TYPE, key);
  const double v = value->valuedouble;
  if (!isfinite(v) || v < min || v > MAX_EXACT) return fail(ctx, MQ_ERR_BAD_VALUE, key);
  *out = v;
  return MQ_OK;
}

static uint32_t to_u32(double v) { return v >= 4294967295.0 ? UINT32_MAX : (uint32_t)v; }

/* A percentage in tenths, clamped to 0..100 %. */
static uint16_t to_tenths(double percent) {
  if (percent > 100.0) percent = 100.0;
  if (percent < 0.0) percent = 0.0;
  return (uint16_t)(percent * 10.0 + 0.5);
}

/* A required string; `*text` points into the parse tree. */
static mq_status_t string(ctx_t *ctx, const cJSON *object, const char *key, const char **text,
                          size_t *len) {
  const cJSON *value = item(object, key);
  if (value == NULL) return fail(ctx, MQ_ERR_MISSING_FIELD, key);
  if (!cJSON_IsString(value) || value->valuestring == NULL) return fail(ctx, MQ_ERR_BAD_TYPE, key);
  *text = value->valuestring;
  *len = strlen(value->valuestring);
  return MQ_OK;
}

#define TRY(expr)                          \
  do {                                     \
    const mq_status_t status_ = (expr);    \
    if (status_ != MQ_OK) return status_;  \
  } while (0)

/* A thumbnail path is put into an HTTP request line: printable ASCII only, starting with '/'. */
static bool usable_path(const char *path, size_t len) {
  if (len == 0 || path[0] != '/') return false;
  for (size_t i = 0; i < len; i++) {
    const unsigned char c = (unsigned char)path[i];
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

static mq_status_t parse_session(ctx_t *ctx, const cJSON *json, mq_session_t *out) {
  if (!cJSON_IsObject(json)) return fail(ctx, MQ_ERR_BAD_TYPE, "sessions[]");
  memset(out, 0, sizeof(*out));
  const char *text;
  size_t len;
  bool cut;

  TRY(string(ctx, json, "id", &text, &len));
  if (len == 0) return fail(ctx, MQ_ERR_BAD_VALUE, "id");
  if (len <= MQ_SESSION_ID_BYTES && mq_utf8_is_valid(text, len)) {
    memcpy(out->id, text, len);
    out->id[len] = '\0';
  } else {
    mq_utf8_copy(out->id, sizeof(out->id), text, len, NULL);
    out->flags |= MQ_SESSION_ID_TOO_LONG;
  }

  TRY(string(ctx, json, "title", &text, &len));
  mq_utf8_copy(out->title, sizeof(out->title), text, len, &cut);
  if (cut) out->flags |= MQ_SESSION_TEXT_CUT;
  TRY(string(ctx, json, "user", &text, &len));
  mq_utf8_copy(out->user, sizeof(out->user), text, len, &cut);
  if (cut) out->flags |= MQ_SESSION_TEXT_CUT;
  TRY(string(ctx, json, "state", &text, &len));
  out->state = (uint8_t)mq_state_from_name(text, len);

  double v;
  TRY(number(ctx, json, "pct", -INFINITY, &v));
  out->pct_tenths = to_tenths(v);
  TRY(number(ctx, json, "pos", 0.0, &v));
  out->pos_s = to_u32(v);
  TRY(number(ctx, json, "dur", 0.0, &v));
  out->dur_s = to_u32(v);

  /* `thumb` is null when there is none or the frame had no room; absent counts as null. */
  const cJSON *thumb = item(json, "thumb");
  if (thumb != NULL && !cJSON_IsNull(thumb)) {
    if (!cJSON_IsString(thumb) || thumb->valuestring == NULL) {
      return fail(ctx, MQ_ERR_BAD_TYPE, "thumb");
    }
    len = strlen(thumb->valuestring);
    if (len <= MQ_THUMB_PATH_BYTES && usable_path(thumb->valuestring, len)) {
      memcpy(out->thumb, thumb->valuestring, len + 1u);
    } else if (len > 0) {
      out->flags |= MQ_SESSION_THUMB_DROPPED;
    }
  }
  return MQ_OK;
}

static mq_status_t parse_system(ctx_t *ctx, const cJSON *json, mq_system_t *out) {
  if (json == NULL) return fail(ctx, MQ_ERR_MISSING_FIELD, "system");
  if (!cJSON_IsObject(json)) return fail(ctx, MQ_ERR_BAD_TYPE, "system");
  double v;
  TRY(number(ctx, json, "cpu", -INFINITY, &v));
  out->cpu_tenths = to_tenths(v);
  TRY(number(ctx, json, "ram", -INFINITY, &v));
  out->ram_tenths = to_tenths(v);
  TRY(number(ctx, json, "disk", -INFINITY, &v));
  out->disk_tenths = to_tenths(v);
  TRY(number(ctx, json, "down", 0.0, &v));
  out->down_bps = (uint64_t)v;
  TRY(number(ctx, json, "up", 0.0, &v));
  out->up_bps = (uint64_t)v;
  const cJSON *temp = item(json, "temp");
  out->has_temp = false;
  out->temp_tenths = 0;
  if (temp != NULL && !cJSON_IsNull(temp)) {
    TRY(number(ctx, json, "temp", -INFINITY, &v));
    if (v > 3276.0) v = 3276.0;
    if (v < -3276.0) v = -3276.0;
    out->temp_tenths = (int16_t)lround(v * 10.0);
    out->has_temp = true;
  }
  return MQ_OK;
}

mq_status_t mq_frame_parse(mq_frame_t *out, mq_json_arena_t *arena, const char *json, size_t len,
                           mq_parse_error_t *error) {
  ctx_t ctx = {error, -1};
  if (error != NULL) {
    error->field = "$";
    error->session = -1;
  }
  if (out == NULL) return MQ_ERR_ARGUMENT;
  cJSON *root = NULL;
  TRY(mq_json_parse(arena, json, len, MQ_JSON_BUDGET_BYTES, &root));
  if (!cJSON_IsObject(root)) return fail(&ctx, MQ_ERR_NOT_OBJECT, "$");

  const cJSON *ts = item(root, "ts");
  if (ts == NULL && item(root, "timestamp") != NULL) {
    return fail(&ctx, MQ_ERR_WRONG_PROFILE, "timestamp");
  }
  double v;
  TRY(number(&ctx, root, "ts", 0.0, &v));
  out->ts = (int64_t)v;

  const cJSON *sessions = item(root, "sessions");
  if (sessions == NULL) return fail(&ctx, MQ_ERR_MISSING_FIELD, "sessions");
  if (!cJSON_IsArray(sessions)) return fail(&ctx, MQ_ERR_BAD_TYPE, "sessions");
  out->count = 0;
  out->more = 0;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, sessions) {
    if (out->count >= MQ_MAX_SESSIONS) {
      out->more++;
      continue;
    }
    ctx.session = out->count;
    TRY(parse_session(&ctx, entry, &out->sessions[out->count]));
    out->count++;
  }
  ctx.session = -1;

  const cJSON *more = item(root, "more");
  if (more != NULL) {
    TRY(number(&ctx, root, "more", 0.0, &v));
    const uint32_t extra = to_u32(v);
    out->more = extra > UINT32_MAX - out->more ? UINT32_MAX : out->more + extra;
  }
  return parse_system(&ctx, item(root, "system"), &out->system);
}

const char *mq_state_name(mq_state_t state) {
  switch (state) {
    case MQ_STATE_PLAYING: return "playing";
    case MQ_STATE_PAUSED: return "paused";
    case MQ_STATE_STOPPED: return "stopped";
    case MQ_STATE_BUFFERING: return "buffering";
    case MQ_STATE_UNKNOWN: break;
  }
  return "?";
}

mq_state_t mq_state_from_name(const char *name, size_t len) {
  static const mq_state_t states[] = {MQ_STATE_PLAYING, MQ_STATE_PAUSED, MQ_STATE_STOPPED,
                                      MQ_STATE_BUFFERING};
  for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
    const char *known = mq_state_name(states[i]);
    if (strlen(known) == len && memcmp(known, name, len) == 0) return states[i];
  }
  return MQ_STATE_UNKNOWN;
}

int mq_frame_find(const mq_frame_t *frame, const char *id) {
  if (frame == NULL || id == NULL || id[0] == '\0') return -1;
  for (int i = 0; i < frame->count; i++) {
    if (strcmp(frame->sessions[i].id, id) == 0) return i;
  }
  return -1;
}
