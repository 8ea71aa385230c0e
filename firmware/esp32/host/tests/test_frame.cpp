#include "check.hpp"
#include "support.hpp"

using support::frame_json;
using support::session_json;

TEST(frame, parses_a_compact_frame) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string json = frame_json(
      session_json("abc", "The Matrix", "paused", 5025, 11062,
                   "\"/api/media/thumb/Movies/m.jpg?width=150&height=225\""));
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  CHECK_EQ(frame.count, 1u);
  CHECK_EQ(frame.more, 0u);
  CHECK_EQ(frame.ts, 1768670000);
  const mq_session_t &s = frame.sessions[0];
  CHECK_STR(s.id, "abc");
  CHECK_STR(s.title, "The Matrix");
  CHECK_STR(s.user, "John");
  CHECK_EQ(s.state, MQ_STATE_PAUSED);
  CHECK_EQ(s.pos_s, 5025u);
  CHECK_EQ(s.dur_s, 11062u);
  CHECK_EQ(s.pct_tenths, 100u);
  CHECK_STR(s.thumb, "/api/media/thumb/Movies/m.jpg?width=150&height=225");
  CHECK_EQ(s.flags, 0u);
  CHECK_EQ(frame.system.cpu_tenths, 234u);
  CHECK_EQ(frame.system.ram_tenths, 421u);
  CHECK_EQ(frame.system.disk_tenths, 780u);
  CHECK(frame.system.has_temp);
  CHECK_EQ(frame.system.temp_tenths, 542);
  CHECK_EQ(frame.system.down_bps, 2621440u);
  CHECK_EQ(frame.system.up_bps, 262144u);
}

TEST(frame, ignores_unknown_fields_everywhere) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string json =
      "{\"v\":2,\"sessions\":[{\"id\":\"a\",\"title\":\"T\",\"user\":\"u\",\"state\":\"playing\","
      "\"pct\":1,\"pos\":2,\"dur\":3,\"thumb\":null,\"hdr\":true,\"audio\":{\"codec\":\"aac\","
      "\"ch\":[1,2]}}],\"system\":{\"cpu\":1,\"temp\":null,\"ram\":2,\"disk\":3,\"down\":4,"
      "\"up\":5,\"gpu\":{\"util\":9}},\"ts\":1,\"extra\":[null,{}]}";
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  CHECK_EQ(frame.count, 1u);
  CHECK(!frame.system.has_temp);
}

TEST(frame, keeps_max_sessions_and_counts_the_rest_in_more) {
  support::Arena arena;
  mq_frame_t frame;
  std::string sessions;
  for (int i = 0; i < 6; i++) sessions += (i ? "," : "") + session_json("s" + std::to_string(i), "T");
  CHECK_EQ(support::parse(&frame, arena.get(), frame_json(sessions, ",\"more\":3")), MQ_OK);
  CHECK_EQ(frame.count, MQ_MAX_SESSIONS);
  CHECK_EQ(frame.more, 3u + 6u - MQ_MAX_SESSIONS);
  CHECK_STR(frame.sessions[3].id, "s3");
  CHECK_EQ(mq_frame_find(&frame, "s2"), 2);
  CHECK_EQ(mq_frame_find(&frame, "s5"), -1);
}

TEST(frame, maps_states_and_keeps_unknown_ones_as_unknown) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string json =
      frame_json(session_json("a", "T", "playing") + "," + session_json("b", "T", "buffering") +
                 "," + session_json("c", "T", "stopped") + "," + session_json("d", "T", "rewinding"));
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  CHECK_EQ(frame.sessions[0].state, MQ_STATE_PLAYING);
  CHECK_EQ(frame.sessions[1].state, MQ_STATE_BUFFERING);
  CHECK_EQ(frame.sessions[2].state, MQ_STATE_STOPPED);
  CHECK_EQ(frame.sessions[3].state, MQ_STATE_UNKNOWN);
  CHECK_STR(mq_state_name(MQ_STATE_UNKNOWN), "?");
}

TEST(frame, cuts_long_texts_and_flags_them) {
  support::Arena arena;
  mq_frame_t frame;
  std::string title;
  for (int i = 0; i < 30; i++) title += "千";  // 90 bytes
  CHECK_EQ(support::parse(&frame, arena.get(), frame_json(session_json("a", title))), MQ_OK);
  const mq_session_t &s = frame.sessions[0];
  CHECK(strlen(s.title) <= MQ_TITLE_BYTES);
  CHECK(mq_utf8_is_valid(s.title, strlen(s.title)));
  CHECK(s.flags & MQ_SESSION_TEXT_CUT);
  CHECK_STR(std::string(s.title).substr(strlen(s.title) - 3), "…");
}

TEST(frame, marks_ids_it_cannot_address_and_drops_unusable_thumbs) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string long_id(MQ_SESSION_ID_BYTES + 1, 'x');
  const std::string long_thumb = "\"/" + std::string(MQ_THUMB_PATH_BYTES, 'p') + "\"";
  CHECK_EQ(support::parse(&frame, arena.get(),
                          frame_json(session_json(long_id, "A", "playing", 1, 2, long_thumb))),
           MQ_OK);
  CHECK(frame.sessions[0].flags & MQ_SESSION_ID_TOO_LONG);
  CHECK(frame.sessions[0].flags & MQ_SESSION_THUMB_DROPPED);
  CHECK_STR(frame.sessions[0].thumb, "");
  const std::string json =
      frame_json(session_json("ok", "B", "playing", 1, 2, "\"/a b\"") + "," +
                 session_json("ok2", "C", "playing", 1, 2, "\"http://evil/x\"") + "," +
                 session_json(std::string(MQ_SESSION_ID_BYTES, 'y'), "D", "playing", 1, 2,
                              "\"/fine?x=1\""));
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  CHECK(frame.sessions[0].flags & MQ_SESSION_THUMB_DROPPED);  // a space would split the request line
  CHECK(frame.sessions[1].flags & MQ_SESSION_THUMB_DROPPED);  // not a server path
  CHECK_EQ(frame.sessions[2].flags, 0u);
  CHECK_EQ(strlen(frame.sessions[2].id), (size_t)MQ_SESSION_ID_BYTES);
  CHECK_STR(frame.sessions[2].thumb, "/fine?x=1");
}

TEST(frame, clamps_percentages_and_huge_numbers) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string json =
      "{\"sessions\":[{\"id\":\"a\",\"title\":\"T\",\"user\":\"u\",\"state\":\"playing\","
      "\"pct\":140,\"pos\":1e15,\"dur\":5000000000,\"thumb\":null}],\"system\":{\"cpu\":-3,"
      "\"temp\":-40.25,\"ram\":100.04,\"disk\":0,\"down\":9e15,\"up\":0},\"ts\":0}";
  CHECK_EQ(support::parse(&frame, arena.get(), json), MQ_OK);
  CHECK_EQ(frame.sessions[0].pct_tenths, 1000u);
  CHECK_EQ(frame.sessions[0].pos_s, UINT32_MAX);
  CHECK_EQ(frame.sessions[0].dur_s, UINT32_MAX);
  CHECK_EQ(frame.system.cpu_tenths, 0u);
  CHECK_EQ(frame.system.ram_tenths, 1000u);
  CHECK_EQ(frame.system.temp_tenths, -403);
  CHECK_EQ(frame.system.down_bps, 9000000000000000ull);
}

TEST(frame, reports_which_field_failed) {
  support::Arena arena;
  mq_frame_t frame;
  mq_parse_error_t error;
  std::string json = frame_json(session_json("a", "T") + "," +
                                "{\"id\":\"b\",\"title\":7,\"user\":\"u\",\"state\":\"playing\","
                                "\"pct\":1,\"pos\":2,\"dur\":3}");
  CHECK_EQ(support::parse(&frame, arena.get(), json, &error), MQ_ERR_BAD_TYPE);
  CHECK_STR(error.field, "title");
  CHECK_EQ(error.session, 1);
  json = "{\"sessions\":[],\"system\":{\"cpu\":1,\"ram\":2,\"disk\":3,\"down\":4},\"ts\":1}";
  CHECK_EQ(support::parse(&frame, arena.get(), json, &error), MQ_ERR_MISSING_FIELD);
  CHECK_STR(error.field, "up");
  CHECK_EQ(error.session, -1);
}

TEST(frame, recognises_the_full_profile) {
  support::Arena arena;
  mq_frame_t frame;
  const std::string full =
      "{\"sessions\":[],\"system\":{\"cpu_percent\":1},\"timestamp\":1768670000}";
  CHECK_EQ(support::parse(&frame, arena.get(), full), MQ_ERR_WRONG_PROFILE);
}
