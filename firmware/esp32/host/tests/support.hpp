// Helpers shared by the host tests.
#pragma once

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "marquee_core.h"
}

namespace support {

/** One arena for a test, at the firmware's size. */
struct Arena {
  mq_json_storage_t storage;
  mq_json_arena_t arena;
  Arena() { mq_json_arena_init(&arena, storage.bytes, sizeof(storage.bytes)); }
  mq_json_arena_t *get() { return &arena; }
};

/**
 * `text` in a heap block of exactly its length, with no NUL after it: AddressSanitizer reports
 * any read past the end, so the parser must honour the length it is given.
 */
struct Exact {
  char *data;
  size_t len;
  explicit Exact(const std::string &text) : data(nullptr), len(text.size()) {
    data = static_cast<char *>(std::malloc(len == 0 ? 1 : len));
    if (len > 0) std::memcpy(data, text.data(), len);
  }
  ~Exact() { std::free(data); }
  Exact(const Exact &) = delete;
  Exact &operator=(const Exact &) = delete;
};

inline std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline mq_status_t parse(mq_frame_t *frame, mq_json_arena_t *arena, const std::string &json,
                         mq_parse_error_t *error = nullptr) {
  Exact exact(json);
  return mq_frame_parse(frame, arena, exact.data, exact.len, error);
}

/** A compact frame with `sessions` (JSON objects) and default system stats. */
inline std::string frame_json(const std::string &sessions, const std::string &extra = "") {
  return "{\"sessions\":[" + sessions +
         "],\"system\":{\"cpu\":23.4,\"temp\":54.2,\"ram\":42.1,\"disk\":78,\"down\":2621440,"
         "\"up\":262144},\"ts\":1768670000" +
         extra + "}";
}

inline std::string session_json(const std::string &id, const std::string &title,
                                 const std::string &state = "playing", int pos = 100,
                                 int dur = 1000, const std::string &thumb = "null") {
  return "{\"id\":\"" + id + "\",\"title\":\"" + title + "\",\"user\":\"John\",\"state\":\"" +
         state + "\",\"pct\":10,\"pos\":" + std::to_string(pos) + ",\"dur\":" +
         std::to_string(dur) + ",\"thumb\":" + thumb + "}";
}

}  // namespace support
