#include "check.hpp"
#include "support.hpp"

static std::vector<uint8_t> jpeg(uint8_t sof, uint16_t width, uint16_t height) {
  std::vector<uint8_t> j = {0xFF, 0xD8,                              // SOI
                            0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
                            0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00,      // a (short) DQT
                            0xFF, sof, 0x00, 0x11, 0x08,
                            (uint8_t)(height >> 8), (uint8_t)height, (uint8_t)(width >> 8),
                            (uint8_t)width, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
                            0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9};
  return j;
}

TEST(jpeg, accepts_a_baseline_poster_in_the_box) {
  const auto j = jpeg(0xC0, 150, 225);
  mq_jpeg_info_t info;
  CHECK_EQ(mq_jpeg_probe(j.data(), j.size(), &info), MQ_JPEG_OK);
  CHECK_EQ(info.width, 150u);
  CHECK_EQ(info.height, 225u);
  CHECK_EQ(info.components, 3u);
  CHECK_EQ(info.sof, 0u);
}

TEST(jpeg, refuses_progressive_oversize_and_non_jpeg) {
  mq_jpeg_info_t info;
  auto progressive = jpeg(0xC2, 150, 225);
  CHECK_EQ(mq_jpeg_probe(progressive.data(), progressive.size(), &info), MQ_JPEG_UNSUPPORTED);
  CHECK_EQ(info.sof, 2u);
  auto extended = jpeg(0xC1, 150, 225);
  CHECK_EQ(mq_jpeg_probe(extended.data(), extended.size(), &info), MQ_JPEG_UNSUPPORTED);
  auto big = jpeg(0xC0, 300, 450);
  CHECK_EQ(mq_jpeg_probe(big.data(), big.size(), &info), MQ_JPEG_TOO_LARGE);
  const uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  CHECK_EQ(mq_jpeg_probe(png, sizeof(png), &info), MQ_JPEG_NOT_JPEG);
  CHECK_STR(mq_jpeg_result_name(MQ_JPEG_UNSUPPORTED), "not baseline");
  std::vector<uint8_t> huge(MQ_POSTER_MAX_BYTES + 1, 0);
  huge[0] = 0xFF;
  huge[1] = 0xD8;
  CHECK_EQ(mq_jpeg_probe(huge.data(), huge.size(), &info), MQ_JPEG_TOO_LARGE);
}

TEST(jpeg, every_truncation_is_caught_without_overreading) {
  const auto j = jpeg(0xC0, 150, 225);
  // The frame header ends at byte 36: every shorter prefix is caught.
  for (size_t len = 0; len < 36; len++) {
    uint8_t *copy = static_cast<uint8_t *>(malloc(len ? len : 1));
    memcpy(copy, j.data(), len);
    const mq_jpeg_result_t r = mq_jpeg_probe(copy, len, nullptr);
    CHECK(r == MQ_JPEG_TRUNCATED || r == MQ_JPEG_NOT_JPEG);
    free(copy);
  }
}
