#include "check.hpp"
#include "support.hpp"

TEST(backlight, dims_across_midnight) {
  const mq_backlight_t config = {22, 7, 255, 24};
  CHECK_EQ(mq_backlight_level(&config, 21), 255u);
  CHECK_EQ(mq_backlight_level(&config, 22), 24u);
  CHECK_EQ(mq_backlight_level(&config, 0), 24u);
  CHECK_EQ(mq_backlight_level(&config, 6), 24u);
  CHECK_EQ(mq_backlight_level(&config, 7), 255u);
  CHECK_EQ(mq_backlight_level(&config, -1), 255u);  // no time yet
  CHECK_EQ(mq_backlight_level(&config, 24), 255u);
}

TEST(backlight, dims_within_a_day_and_can_be_off) {
  const mq_backlight_t afternoon = {13, 15, 200, 50};
  CHECK_EQ(mq_backlight_level(&afternoon, 12), 200u);
  CHECK_EQ(mq_backlight_level(&afternoon, 14), 50u);
  CHECK_EQ(mq_backlight_level(&afternoon, 15), 200u);
  const mq_backlight_t never = {0, 0, 180, 10};
  CHECK_EQ(mq_backlight_level(&never, 3), 180u);
}
