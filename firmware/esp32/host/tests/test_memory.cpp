// The memory budget the README states, checked on this host (64-bit; the ESP32's 32-bit numbers
// are smaller: cJSON nodes are 40 bytes there instead of 64).
#include <iostream>

#include "check.hpp"
#include "mq_cjson.h"
#include "support.hpp"

TEST(memory, structures_stay_within_the_stated_budget) {
  std::cout << "  mq_json_storage_t " << sizeof(mq_json_storage_t) << " B, mq_frame_t "
            << sizeof(mq_frame_t) << " B, mq_screen_t " << sizeof(mq_screen_t)
            << " B, mq_commander_t " << sizeof(mq_commander_t) << " B, mq_http_request_t "
            << sizeof(mq_http_request_t) << " B, mq_conn_t " << sizeof(mq_conn_t) << " B"
            << std::endl;
  CHECK(sizeof(cJSON) <= MQ_JSON_NODE_BYTES);
  CHECK(sizeof(mq_json_storage_t) <= 20u * 1024u);
  CHECK(sizeof(mq_frame_t) <= 2300u);
  CHECK(sizeof(mq_screen_t) <= 4800u);
  CHECK(sizeof(mq_commander_t) <= 2600u);
  CHECK(sizeof(mq_http_request_t) <= 2600u);
  CHECK(sizeof(mq_conn_t) <= 128u);
}

TEST(memory, a_full_budget_frame_uses_a_fraction_of_the_arena) {
  support::Arena arena;
  std::string sessions;
  for (int i = 0; i < 4; i++) {
    sessions += (i ? "," : "") +
                support::session_json("0b9c2f64-5c1e-4d7a-9a8e-1f2d3c4b5a6" + std::to_string(i),
                                      "千と千尋の神隠し スタジ…", "playing", 5025, 11062,
                                      "\"/api/media/thumb/Movies/x.jpg?width=150&height=225\"");
  }
  const std::string json = support::frame_json(sessions, ",\"more\":3");
  CHECK(json.size() <= MQ_JSON_BUDGET_BYTES);
  mq_frame_t frame;
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  std::cout << "  " << json.size() << "-byte frame: arena high water " << arena.arena.high_water
            << " of " << arena.arena.size << " B" << std::endl;
  CHECK(arena.arena.high_water * 2 < arena.arena.size);
}

TEST(memory, the_tests_run_under_address_sanitizer) {
#if defined(MQ_EXPECT_SANITIZERS) && !defined(__SANITIZE_ADDRESS__)
  check::fail(__FILE__, __LINE__, "built with MQ_SANITIZE but without -fsanitize=address");
#endif
#if defined(__SANITIZE_ADDRESS__)
  std::cout << "  AddressSanitizer and UndefinedBehaviorSanitizer are on" << std::endl;
#endif
}
