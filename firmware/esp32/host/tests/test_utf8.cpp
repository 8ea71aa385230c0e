#include "check.hpp"
#include "support.hpp"

static std::string copy(const std::string &src, size_t dst_size, bool *cut = nullptr) {
  std::vector<char> dst(dst_size == 0 ? 1 : dst_size, 'X');
  support::Exact exact(src);
  const size_t n = mq_utf8_copy(dst.data(), dst_size, exact.data, exact.len, cut);
  std::string out = dst_size == 0 ? std::string() : std::string(dst.data());
  CHECK_EQ(n, out.size());
  CHECK(mq_utf8_is_valid(out.data(), out.size()));
  CHECK(out.size() < (dst_size == 0 ? 1 : dst_size));
  return out;
}

TEST(utf8, copies_text_that_fits_unchanged) {
  bool cut = true;
  CHECK_STR(copy("The Matrix", 49, &cut), "The Matrix");
  CHECK(!cut);
  CHECK_STR(copy("千と千尋の神隠し", 49), "千と千尋の神隠し");
  CHECK_STR(copy("👨‍👩‍👧 family", 49), "👨‍👩‍👧 family");
  CHECK_STR(copy("exactly10!", 11), "exactly10!");
}

TEST(utf8, cuts_latin_text_with_an_ellipsis) {
  bool cut = false;
  // 16 bytes of room: 13 of text, then the 3-byte ellipsis.
  CHECK_STR(copy("The Lord of the Rings", 17, &cut), "The Lord of t…");
  CHECK(cut);
  // A cut after a space drops the space.
  CHECK_STR(copy("The Lord of the Rings", 16), "The Lord of…");
}

TEST(utf8, never_splits_a_japanese_character) {
  // Each of these characters is 3 bytes; 16 bytes of room leaves 13 for text: 4 characters.
  const std::string title = "千と千尋の神隠し";
  for (size_t size = 4; size <= title.size() + 1; size++) {
    const std::string out = copy(title, size);
    CHECK(out.size() <= size - 1);
    if (out.size() < title.size()) CHECK(out.size() >= 3 && out.substr(out.size() - 3) == "…");
  }
  CHECK_STR(copy(title, 17), "千と千尋…");
}

TEST(utf8, never_splits_an_emoji_and_drops_a_dangling_joiner) {
  // 👨 (4) ZWJ (3) 👩 (4) ZWJ (3) 👧 (4): a cut after the first ZWJ must not keep the ZWJ.
  const std::string family = "👨‍👩‍👧 at home";
  CHECK_STR(copy(family, 11), "👨…");  // room 7: 👨 + ZWJ fit, the ZWJ is trimmed
  CHECK_STR(copy(family, 15), "👨‍👩…");
  CHECK_STR(copy("🎬🍿🎉", 9), "🎬…");
  for (size_t size = 1; size < 32; size++) copy(family, size);
}

TEST(utf8, leaves_nothing_when_not_even_the_ellipsis_fits) {
  bool cut = false;
  CHECK_STR(copy("abcdef", 3, &cut), "");
  CHECK(cut);
  CHECK_STR(copy("ab", 3, &cut), "ab");
  CHECK(!cut);
  CHECK_STR(copy("abcd", 4), "…");
  CHECK_STR(copy("abc", 0), "");
}

TEST(utf8, replaces_invalid_bytes_and_control_characters) {
  CHECK_STR(copy(std::string("a\xFF" "b"), 32), "a?b");
  CHECK_STR(copy(std::string("\xC0\xAF"), 32), "??");            // overlong "/"
  CHECK_STR(copy(std::string("\xED\xA0\x80"), 32), "???");       // a surrogate as UTF-8
  CHECK_STR(copy(std::string("\xF4\x90\x80\x80"), 32), "????");  // above U+10FFFF
  CHECK_STR(copy(std::string("\xE3\x81"), 32), "??");            // truncated sequence
  CHECK_STR(copy(std::string("tab\there\nnew\x7f"), 32), "tab here new ");
  CHECK_STR(copy(std::string("a\0b", 3), 32), "a b");
}

TEST(utf8, validates_sequences) {
  CHECK(mq_utf8_is_valid("", 0));
  CHECK(mq_utf8_is_valid("abc", 3));
  CHECK(mq_utf8_is_valid("\xE2\x80\xA6", 3));
  CHECK(mq_utf8_is_valid("\xF0\x9F\x8E\xAC", 4));
  CHECK(!mq_utf8_is_valid("\xF0\x9F\x8E", 3));
  CHECK(!mq_utf8_is_valid("\x80", 1));
  CHECK(!mq_utf8_is_valid("\xE0\x80\x80", 3));
}

TEST(utf8, every_cut_of_every_mixed_title_is_valid) {
  const std::string titles[] = {"The Lord of the Rings: The Fellowship of the Ring",
                                "千と千尋の神隠し スタジオジブリ", "🎬🍿 Movie night 👨‍👩‍👧‍👦 🎉",
                                "Ünïcödé – “quotes” and ½"};
  for (const auto &title : titles) {
    for (size_t size = 0; size <= title.size() + 2; size++) {
      bool cut = false;
      const std::string out = copy(title, size, &cut);
      CHECK_EQ(cut, title.size() > (size == 0 ? 0 : size - 1));
    }
  }
}
