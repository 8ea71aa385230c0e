#include "check.hpp"
#include "mq_cjson.h"
#include "support.hpp"

TEST(json, parses_within_the_arena_and_reuses_it) {
  support::Arena arena;
  cJSON *root = nullptr;
  const std::string doc = "{\"a\":[1,2,3],\"b\":\"text\"}";
  for (int round = 0; round < 3; round++) {
    support::Exact exact(doc);
    CHECK_EQ(mq_json_parse(arena.get(), exact.data, exact.len, 1024, &root), MQ_OK);
    CHECK(cJSON_IsObject(root));
    CHECK(arena.arena.used > 0);
    CHECK(arena.arena.used <= arena.arena.size);
  }
  // Every parse starts from an empty arena: the high-water mark does not grow with use.
  const size_t high = arena.arena.high_water;
  support::Exact again(doc);
  mq_json_parse(arena.get(), again.data, again.len, 1024, &root);
  CHECK_EQ(arena.arena.high_water, high);
}

TEST(json, restores_the_default_allocator_after_a_parse) {
  support::Arena arena;
  cJSON *root = nullptr;
  support::Exact exact(std::string("[1]"));
  CHECK_EQ(mq_json_parse(arena.get(), exact.data, exact.len, 1024, &root), MQ_OK);
  // An ordinary cJSON user afterwards gets heap memory it can free (ASan checks the pairing).
  cJSON *own = cJSON_Parse("{\"x\":\"heap\"}");
  CHECK(own != nullptr);
  cJSON_Delete(own);
}

TEST(json, refuses_documents_over_the_budget_before_parsing) {
  support::Arena arena;
  cJSON *root = nullptr;
  std::string doc = "[" + std::string(2000, ' ') + "]";
  support::Exact exact(doc);
  CHECK_EQ(mq_json_parse(arena.get(), exact.data, exact.len, 1024, &root), MQ_ERR_TOO_LARGE);
  CHECK(root == nullptr);
  CHECK_EQ(arena.arena.used, 0u);
}

TEST(json, refuses_deep_nesting_without_recursing) {
  support::Arena arena;
  cJSON *root = nullptr;
  std::string deep(MQ_JSON_MAX_DEPTH + 1, '[');
  deep += std::string(MQ_JSON_MAX_DEPTH + 1, ']');
  support::Exact exact(deep);
  CHECK_EQ(mq_json_parse(arena.get(), exact.data, exact.len, 1024, &root), MQ_ERR_TOO_COMPLEX);
  std::string ok(MQ_JSON_MAX_DEPTH, '[');
  ok += std::string(MQ_JSON_MAX_DEPTH, ']');
  support::Exact fine(ok);
  CHECK_EQ(mq_json_parse(arena.get(), fine.data, fine.len, 1024, &root), MQ_OK);
  // Brackets inside strings do not count.
  support::Exact quoted(std::string("{\"t\":\"[[[[[[[[[[[[{{{{{{{{\"}"));
  CHECK_EQ(mq_json_parse(arena.get(), quoted.data, quoted.len, 1024, &root), MQ_OK);
  CHECK(mq_json_depth_ok("\"\\\"[\"", 5, 0));
  CHECK(!mq_json_depth_ok("[]]", 3, 8));
}

TEST(json, reports_an_exhausted_arena_as_too_complex) {
  alignas(8) unsigned char small[256];
  mq_json_arena_t arena;
  mq_json_arena_init(&arena, small, sizeof(small));
  cJSON *root = nullptr;
  support::Exact exact(std::string("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]"));
  CHECK_EQ(mq_json_parse(&arena, exact.data, exact.len, 1024, &root), MQ_ERR_TOO_COMPLEX);
  CHECK(arena.exhausted);
  CHECK(root == nullptr);
}

TEST(json, guarantees_room_for_max_nodes_values_at_the_budget) {
  // The densest document of MQ_JSON_MAX_NODES values: an array of one-digit numbers.
  support::Arena arena;
  std::string doc = "[";
  for (unsigned i = 0; i + 1 < MQ_JSON_MAX_NODES; i++) doc += i ? ",0" : "0";
  doc += "]";
  CHECK(doc.size() <= MQ_JSON_BUDGET_BYTES);
  cJSON *root = nullptr;
  support::Exact exact(doc);
  CHECK_EQ(mq_json_parse(arena.get(), exact.data, exact.len, MQ_JSON_BUDGET_BYTES, &root), MQ_OK);
  // And string-heavy: an object of MQ_JSON_MAX_NODES/2 short keys and values.
  std::string obj = "{";
  for (unsigned i = 0; i < MQ_JSON_MAX_NODES / 2 - 1; i++) {
    obj += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  }
  obj += "}";
  CHECK(obj.size() <= MQ_HTTP_BODY_BYTES);
  support::Exact exact_obj(obj);
  CHECK_EQ(mq_json_parse(arena.get(), exact_obj.data, exact_obj.len, MQ_HTTP_BODY_BYTES, &root),
           MQ_OK);
}

TEST(json, repairs_lone_surrogate_escapes_in_place) {
  std::string text = "[\"a\\ud83d b\", \"\\ude00\", \"\\ud83d\\ude00\", \"\\\\ud83d\", \"\\ud83d\\n\"]";
  const size_t repaired = mq_json_repair_surrogates(&text[0], text.size());
  CHECK_EQ(repaired, 3u);
  CHECK_STR(text, "[\"a\\ufffd b\", \"\\ufffd\", \"\\ud83d\\ude00\", \"\\\\ud83d\", \"\\ufffd\\n\"]");
  // Escapes outside strings are not touched (and are a syntax error anyway).
  std::string outside = "\\ud83d";
  CHECK_EQ(mq_json_repair_surrogates(&outside[0], outside.size()), 0u);
  // Truncated escapes at the end are left alone.
  std::string cut = "\"\\ud8";
  CHECK_EQ(mq_json_repair_surrogates(&cut[0], cut.size()), 0u);
}

TEST(json, rejects_trailing_garbage_and_embedded_nul) {
  support::Arena arena;
  cJSON *root = nullptr;
  support::Exact trailing(std::string("{} x"));
  CHECK_EQ(mq_json_parse(arena.get(), trailing.data, trailing.len, 1024, &root), MQ_ERR_SYNTAX);
  support::Exact spaces(std::string("{}  \n"));
  CHECK_EQ(mq_json_parse(arena.get(), spaces.data, spaces.len, 1024, &root), MQ_OK);
  support::Exact nul(std::string("{}\0{}", 5));
  CHECK_EQ(mq_json_parse(arena.get(), nul.data, nul.len, 1024, &root), MQ_ERR_SYNTAX);
  CHECK_EQ(mq_json_parse(arena.get(), nullptr, 0, 1024, &root), MQ_ERR_EMPTY);
}
