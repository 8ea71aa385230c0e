// Frames rendered by the SDK's toCompactSnapshot, the function the server serves
// `?profile=compact` with (written by scripts/firmware-fixtures.ts in the ctest fixture step),
// parsed by the core exactly as the panel parses them, and compared field by field with what the
// TypeScript side says they hold.
#include "check.hpp"
#include "mq_cjson.h"
#include "support.hpp"

namespace {

std::string str(const cJSON *object, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsString(item) ? item->valuestring : "";
}

double num(const cJSON *object, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsNumber(item) ? item->valuedouble : -1;
}

mq_status_t expected_status(const std::string &name) {
  if (name == "ok") return MQ_OK;
  if (name == "WRONG_PROFILE") return MQ_ERR_WRONG_PROFILE;
  if (name == "TOO_LARGE") return MQ_ERR_TOO_LARGE;
  return MQ_ERR_ARGUMENT;
}

}  // namespace

TEST(server_frames, parse_like_the_sdk_says) {
  const std::string dir = MQ_FIXTURE_DIR;
  const std::string manifest_text = support::read_file(dir + "/manifest.json");
  CHECK(!manifest_text.empty());
  cJSON *manifest = cJSON_Parse(manifest_text.c_str());  // test-side parse: plain heap
  CHECK(cJSON_IsArray(manifest));
  if (!cJSON_IsArray(manifest)) return;

  support::Arena arena;
  static mq_frame_t frame;
  int seen = 0;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, manifest) {
    seen++;
    const std::string name = str(entry, "name");
    const std::string json = support::read_file(dir + "/" + str(entry, "file"));
    CHECK_EQ(json.size(), (size_t)num(entry, "bytes"));
    mq_parse_error_t error;
    const mq_status_t status = support::parse(&frame, arena.get(), json, &error);
    if (status != expected_status(str(entry, "expect"))) {
      check::fail(__FILE__, __LINE__,
                  name + ": " + mq_status_text(status) + " at " + error.field + ", expected " +
                      str(entry, "expect"));
      continue;
    }
    if (status != MQ_OK) continue;
    CHECK(json.size() <= MQ_JSON_BUDGET_BYTES);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(entry, "frame");
    CHECK_EQ((double)frame.ts, num(want, "ts"));
    CHECK_EQ((double)frame.count, num(want, "count"));
    CHECK_EQ((double)frame.more, num(want, "more"));
    const cJSON *sessions = cJSON_GetObjectItemCaseSensitive(want, "sessions");
    int i = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, sessions) {
      const mq_session_t &got = frame.sessions[i++];
      CHECK_STR(got.id, str(s, "id"));
      CHECK_STR(got.title, str(s, "title"));
      CHECK_STR(got.user, str(s, "user"));
      CHECK_STR(mq_state_name((mq_state_t)got.state), str(s, "state"));
      CHECK_EQ((double)got.pct_tenths, num(s, "pct_tenths"));
      CHECK_EQ((double)got.pos_s, num(s, "pos"));
      CHECK_EQ((double)got.dur_s, num(s, "dur"));
      CHECK_STR(got.thumb, str(s, "thumb"));
      // The server cut the title to its budget already; the panel never needs to cut again.
      CHECK_EQ(got.flags, 0u);
    }
    const cJSON *system = cJSON_GetObjectItemCaseSensitive(want, "system");
    CHECK_EQ((double)frame.system.cpu_tenths, num(system, "cpu_tenths"));
    CHECK_EQ((double)frame.system.ram_tenths, num(system, "ram_tenths"));
    CHECK_EQ((double)frame.system.disk_tenths, num(system, "disk_tenths"));
    const cJSON *temp = cJSON_GetObjectItemCaseSensitive(system, "temp_tenths");
    CHECK_EQ(frame.system.has_temp, !cJSON_IsNull(temp));
    if (frame.system.has_temp) CHECK_EQ((double)frame.system.temp_tenths, temp->valuedouble);
    CHECK_EQ((double)frame.system.down_bps, num(system, "down"));
    CHECK_EQ((double)frame.system.up_bps, num(system, "up"));
  }
  CHECK(seen >= 10);
  cJSON_Delete(manifest);
}
