// Hostile input: every prefix of a real frame, every byte of it replaced, random bytes, and a
// catalogue of JSON edge cases. Each parse runs on an exact-size heap block under ASan and UBSan
// (float-cast-overflow included); the test passes when none of them crashes and every accepted
// frame still holds valid, bounded data.
#include <cstdint>

#include "check.hpp"
#include "support.hpp"

using support::frame_json;
using support::session_json;

static const std::string &sample() {
  static const std::string json = frame_json(
      session_json("0b9c2f64-5c1e-4d7a-9a8e-1f2d3c4b5a69", "千と千尋の神隠し 🎬 \\\"q\\\" \\u00e9",
                   "playing", 5025, 11062, "\"/api/media/thumb/a.jpg?width=150&height=225\"") +
          "," + session_json("b", "Up", "paused"),
      ",\"more\":2");
  return json;
}

static void check_frame_sane(const mq_frame_t &frame) {
  CHECK(frame.count <= MQ_MAX_SESSIONS);
  for (unsigned i = 0; i < frame.count; i++) {
    const mq_session_t &s = frame.sessions[i];
    CHECK(strlen(s.id) <= MQ_SESSION_ID_BYTES);
    CHECK(strlen(s.title) <= MQ_TITLE_BYTES);
    CHECK(strlen(s.user) <= MQ_USER_BYTES);
    CHECK(strlen(s.thumb) <= MQ_THUMB_PATH_BYTES);
    CHECK(mq_utf8_is_valid(s.title, strlen(s.title)));
    CHECK(mq_utf8_is_valid(s.user, strlen(s.user)));
    CHECK(s.pct_tenths <= 1000u);
  }
  CHECK(frame.system.cpu_tenths <= 1000u);
}

static mq_status_t parse_checked(mq_json_arena_t *arena, const std::string &json) {
  static mq_frame_t frame;
  const mq_status_t status = support::parse(&frame, arena, json);
  if (status == MQ_OK) check_frame_sane(frame);
  CHECK(arena->used <= arena->size);
  return status;
}

TEST(malformed, the_sample_itself_parses) {
  support::Arena arena;
  CHECK_EQ(parse_checked(arena.get(), sample()), MQ_OK);
}

TEST(malformed, every_prefix_is_rejected) {
  support::Arena arena;
  const std::string &json = sample();
  for (size_t len = 0; len < json.size(); len++) {
    const mq_status_t status = parse_checked(arena.get(), json.substr(0, len));
    CHECK(status != MQ_OK);
  }
}

TEST(malformed, every_byte_replaced_never_crashes) {
  support::Arena arena;
  const std::string &json = sample();
  const unsigned char replacements[] = {0x00, '"', '{', '}', '[', ']', ',', ':', '\\', '-', '9',
                                        'e', 'n', 0x7F, 0x80, 0xC3, 0xED, 0xF0, 0xFF};
  unsigned accepted = 0;
  for (size_t i = 0; i < json.size(); i++) {
    for (unsigned char r : replacements) {
      std::string mutated = json;
      mutated[i] = static_cast<char>(r);
      if (parse_checked(arena.get(), mutated) == MQ_OK) accepted++;
    }
  }
  CHECK(accepted > 0);  // some replacements are harmless (inside a title); none may crash
}

TEST(malformed, random_bytes_never_crash) {
  support::Arena arena;
  uint32_t state = 0x9E3779B9u;
  auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  const std::string alphabet = "{}[]\":,0123456789.eE-+truefalsnul \\u\"sessions\"ts";
  for (int round = 0; round < 3000; round++) {
    const size_t len = 1 + next() % 1100;
    std::string text(len, ' ');
    for (size_t i = 0; i < len; i++) {
      text[i] = round % 2 ? static_cast<char>(next() & 0xFF) : alphabet[next() % alphabet.size()];
    }
    parse_checked(arena.get(), text);
  }
}

TEST(malformed, catalogue_of_edge_cases) {
  support::Arena arena;
  struct Case {
    std::string json;
    mq_status_t expected;
  };
  const std::string system =
      "\"system\":{\"cpu\":1,\"temp\":null,\"ram\":2,\"disk\":3,\"down\":4,\"up\":5}";
  const Case cases[] = {
      {"", MQ_ERR_EMPTY},
      {" ", MQ_ERR_SYNTAX},
      {"null", MQ_ERR_NOT_OBJECT},
      {"[]", MQ_ERR_NOT_OBJECT},
      {"\"sessions\"", MQ_ERR_NOT_OBJECT},
      {"42", MQ_ERR_NOT_OBJECT},
      {"{", MQ_ERR_SYNTAX},
      {"}", MQ_ERR_SYNTAX},
      {"{}", MQ_ERR_MISSING_FIELD},
      {"{\"sessions\":{}," + system + ",\"ts\":1}", MQ_ERR_BAD_TYPE},
      {"{\"sessions\":[1,2]," + system + ",\"ts\":1}", MQ_ERR_BAD_TYPE},
      {"{\"sessions\":[]," + system + ",\"ts\":\"1\"}", MQ_ERR_BAD_TYPE},
      {"{\"sessions\":[]," + system + ",\"ts\":-1}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[]," + system + ",\"ts\":1e400}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[]," + system + ",\"ts\":-1e400}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[]," + system + ",\"ts\":1e308}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[]," + system + ",\"ts\":NaN}", MQ_ERR_SYNTAX},
      {"{\"sessions\":[]," + system + ",\"ts\":Infinity}", MQ_ERR_SYNTAX},
      {"{\"sessions\":[]," + system + ",\"ts\":-0}", MQ_OK},
      {"{\"sessions\":[]," + system + ",\"ts\":1,\"more\":-5}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[]," + system + ",\"ts\":1,\"more\":1e300}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[]," + system + ",\"ts\":1,\"more\":4294967296}", MQ_OK},
      {"{\"sessions\":[],\"system\":[],\"ts\":1}", MQ_ERR_BAD_TYPE},
      {"{\"sessions\":[],\"system\":{\"cpu\":1e999,\"ram\":2,\"disk\":3,\"down\":4,\"up\":5},"
       "\"ts\":1}",
       MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[],\"system\":{\"cpu\":1,\"temp\":\"hot\",\"ram\":2,\"disk\":3,\"down\":4,"
       "\"up\":5},\"ts\":1}",
       MQ_ERR_BAD_TYPE},
      {"\xEF\xBB\xBF{\"sessions\":[]," + system + ",\"ts\":1}", MQ_OK},  // cJSON skips a BOM
      {"{\"sessions\":[]," + system + ",\"ts\":1,\"ts\":\"x\"}", MQ_OK},  // first key wins
      {"{\"sessions\":[]," + system + ",\"ts\":1} trailing", MQ_ERR_SYNTAX},
      {"{\"sessions\":[{\"id\":\"\\x\"}]," + system + ",\"ts\":1}", MQ_ERR_SYNTAX},
      {"{\"sessions\":[{\"id\":\"unterminated}]," + system + ",\"ts\":1}", MQ_ERR_SYNTAX},
      {"{\"sessions\":[{\"id\":\"\"}]," + system + ",\"ts\":1}", MQ_ERR_BAD_VALUE},
      {"{\"sessions\":[[[[[[[[[[1]]]]]]]]]]," + system + ",\"ts\":1}", MQ_ERR_TOO_COMPLEX},
      {"{\"sessions\":[" + session_json("a\\u0000b", "T\\u0000hidden") + "]," + system +
           ",\"ts\":1}",
       MQ_OK},
      {"{\"sessions\":[" + session_json("a", "\\ud800\\ud800") + "]," + system + ",\"ts\":1}",
       MQ_OK},
      {"{\"sessions\":[" + session_json("a", "\\uDFFF\\uD83D\\uDE00") + "]," + system +
           ",\"ts\":1}",
       MQ_OK},
  };
  for (const Case &c : cases) {
    const mq_status_t status = parse_checked(arena.get(), c.json);
    if (status != c.expected) {
      check::fail(__FILE__, __LINE__,
                  "\"" + c.json + "\": got " + mq_status_text(status) + ", expected " +
                      mq_status_text(c.expected));
    }
  }
}

TEST(malformed, lone_surrogates_become_replacement_characters) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string json =
      frame_json(session_json("a", "x\\ud83d y") + "," + session_json("b", "\\ude00\\ud83d\\ude00"));
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  CHECK_STR(frame.sessions[0].title, "x\xEF\xBF\xBD y");
  CHECK_STR(frame.sessions[1].title, "\xEF\xBF\xBD\xF0\x9F\x98\x80");
}

TEST(malformed, oversize_frames_are_refused_before_parsing) {
  support::Arena arena;
  std::string at_budget = frame_json(session_json("a", "T"));
  at_budget.insert(at_budget.size() - 1, ",\"pad\":\"" +
                                             std::string(MQ_JSON_BUDGET_BYTES - at_budget.size() - 9, 'p') +
                                             "\"");
  CHECK_EQ(at_budget.size(), (size_t)MQ_JSON_BUDGET_BYTES);
  CHECK_EQ(parse_checked(arena.get(), at_budget), MQ_OK);
  std::string over = at_budget;
  over.insert(over.size() - 2, "p");
  CHECK_EQ(parse_checked(arena.get(), over), MQ_ERR_TOO_LARGE);
  CHECK_EQ(arena.arena.used, 0u);
  CHECK_EQ(parse_checked(arena.get(), std::string(64 * 1024, '[')), MQ_ERR_TOO_LARGE);
  std::string many;
  for (int i = 0; i < 40; i++) many += (i ? "," : "") + session_json("s" + std::to_string(i), "T");
  CHECK_EQ(parse_checked(arena.get(), frame_json(many)), MQ_ERR_TOO_LARGE);
}

TEST(malformed, too_many_values_exhaust_the_arena_gracefully) {
  support::Arena arena;
  // 440 values in under 1 KB: more than MQ_JSON_MAX_NODES, so the arena may run out; it must
  // either parse or say TOO_COMPLEX, never write past it.
  std::string zeros = "{\"sessions\":[],\"x\":[";
  for (int i = 0; i < 440; i++) zeros += i ? ",0" : "0";
  zeros += "],\"system\":{\"cpu\":1,\"ram\":2,\"disk\":3,\"down\":4,\"up\":5},\"ts\":1}";
  CHECK(zeros.size() <= MQ_JSON_BUDGET_BYTES);
  const mq_status_t status = parse_checked(arena.get(), zeros);
  CHECK(status == MQ_OK || status == MQ_ERR_TOO_COMPLEX);
}
