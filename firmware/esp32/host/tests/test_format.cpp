#include "check.hpp"
#include "support.hpp"

static std::string duration(uint64_t s) {
  char out[32];
  mq_format_duration(out, sizeof(out), s);
  return out;
}
static std::string rate(uint64_t bps) {
  char out[32];
  mq_format_rate(out, sizeof(out), bps);
  return out;
}
static std::string tenths(int32_t t) {
  char out[32];
  mq_format_tenths(out, sizeof(out), t);
  return out;
}

TEST(format, durations) {
  CHECK_STR(duration(0), "0:00");
  CHECK_STR(duration(65), "1:05");
  CHECK_STR(duration(3599), "59:59");
  CHECK_STR(duration(3600), "1:00:00");
  CHECK_STR(duration(11062), "3:04:22");
  CHECK_STR(duration(UINT32_MAX), "1193046:28:15");
}

TEST(format, rates_in_bits_per_second) {
  CHECK_STR(rate(0), "0 b/s");
  CHECK_STR(rate(950), "950 b/s");
  CHECK_STR(rate(9999), "10 kb/s");
  CHECK_STR(rate(262144), "262 kb/s");
  CHECK_STR(rate(2621440), "2.6 Mb/s");
  CHECK_STR(rate(1200000000), "1.2 Gb/s");
  CHECK_STR(rate(UINT64_MAX), "1844674 Tb/s");
}

TEST(format, tenths_and_bars) {
  CHECK_STR(tenths(234), "23.4");
  CHECK_STR(tenths(1000), "100.0");
  CHECK_STR(tenths(-52), "-5.2");
  CHECK_STR(tenths(INT32_MIN), "-214748364.8");
  char bar[32];
  mq_format_bar(bar, sizeof(bar), 500);
  CHECK_STR(bar, "[##########..........]");
  mq_format_bar(bar, sizeof(bar), 2000);
  CHECK_STR(bar, "[####################]");
  CHECK_EQ(mq_format_bar(bar, 10, 0), 0u);
}

TEST(format, truncates_into_small_buffers) {
  char out[4];
  CHECK_EQ(mq_format_duration(out, sizeof(out), 11062), 3u);
  CHECK_STR(out, "3:0");
}
