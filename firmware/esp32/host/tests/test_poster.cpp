#include <memory>

#include "check.hpp"
#include "support.hpp"

namespace {

constexpr uint16_t kBackground = 0;

// A poster's pixel at (x, y): distinct per position and never the background.
uint16_t pixel(uint32_t x, uint32_t y) { return (uint16_t)(1u + (y * 151u + x) % 65000u); }

// An exact-size heap canvas, so AddressSanitizer catches a write past its end.
struct Canvas {
  size_t pixels;
  std::unique_ptr<uint16_t[]> data;
  explicit Canvas(size_t n) : pixels(n), data(new uint16_t[n]) {
    for (size_t i = 0; i < n; i++) data[i] = 0xDEADu;
  }
};

// Decodes a `w` x `h` poster like TJpgDec: MCU blocks of `mcu` x `mcu` pixels left to right, top
// to bottom, the blocks on the right and bottom edges cut to the image and
// packed at their own width.
void decode(const mq_poster_layout_t &layout, Canvas &canvas, uint16_t w, uint16_t h,
            uint32_t mcu) {
  std::vector<uint16_t> block;
  for (uint32_t by = 0; by < h; by += mcu) {
    for (uint32_t bx = 0; bx < w; bx += mcu) {
      const uint32_t bw = bx + mcu > w ? w - bx : mcu;
      const uint32_t bh = by + mcu > h ? h - by : mcu;
      block.assign(bw * bh, 0);
      for (uint32_t r = 0; r < bh; r++) {
        for (uint32_t c = 0; c < bw; c++) block[r * bw + c] = pixel(bx + c, by + r);
      }
      CHECK(mq_poster_blit(&layout, canvas.data.get(), canvas.pixels, (int32_t)bx, (int32_t)by, bw,
                           bh, block.data()));
    }
  }
}

// Reads the canvas the way LVGL reads an lv_img_dsc_t: header.w x header.h pixels, row r starting
// at data + r * header.w. Every image pixel must be where the layout put it, the rest background.
void check_as_lvgl_reads(const mq_poster_layout_t &layout, const Canvas &canvas) {
  const uint32_t header_w = layout.canvas_w;
  const uint32_t header_h = layout.canvas_h;
  CHECK(header_w * header_h <= canvas.pixels);
  uint32_t wrong = 0;
  for (uint32_t r = 0; r < header_h; r++) {
    for (uint32_t c = 0; c < header_w; c++) {
      const bool inside = c >= layout.x && c < layout.x + layout.image_w && r >= layout.y &&
                          r < layout.y + layout.image_h;
      const uint16_t want = inside ? pixel(c - layout.x, r - layout.y) : kBackground;
      if (canvas.data[r * header_w + c] != want) wrong++;
    }
  }
  CHECK_EQ(wrong, 0u);
}

}  // namespace

TEST(poster, layouts_centre_any_poster_that_fits_at_the_stride_lvgl_reads) {
  mq_poster_layout_t l;
  CHECK(mq_poster_layout(150, 225, &l));
  CHECK_EQ(l.x, 0u);
  CHECK_EQ(l.y, 0u);
  CHECK(mq_poster_layout(120, 225, &l));
  CHECK_EQ(l.x, 15u);
  CHECK_EQ(l.y, 0u);
  CHECK(mq_poster_layout(150, 100, &l));
  CHECK_EQ(l.x, 0u);
  CHECK_EQ(l.y, 62u);
  for (uint16_t w = 1; w <= MQ_POSTER_WIDTH; w++) {
    for (uint16_t h = 1; h <= MQ_POSTER_HEIGHT; h += 7) {
      CHECK(mq_poster_layout(w, h, &l));
      CHECK_EQ(l.stride, l.canvas_w);  // LVGL has no stride: rows are header.w apart
      CHECK_EQ(l.canvas_w, MQ_POSTER_WIDTH);
      CHECK_EQ(l.canvas_h, MQ_POSTER_HEIGHT);
      CHECK(l.x + w <= l.canvas_w);
      CHECK(l.y + h <= l.canvas_h);
      CHECK(l.x == (MQ_POSTER_WIDTH - w) / 2u);
    }
  }
  CHECK(!mq_poster_layout(0, 225, &l));
  CHECK(!mq_poster_layout(150, 0, &l));
  CHECK(!mq_poster_layout(MQ_POSTER_WIDTH + 1, 225, &l));
  CHECK(!mq_poster_layout(150, MQ_POSTER_HEIGHT + 1, &l));
  CHECK(!mq_poster_layout(150, 225, nullptr));
}

// The bug: a 120-px poster's rows were copied 150 px apart while LVGL was told 120, so each row
// started 30 px further into the picture than the last (sheared).
TEST(poster, a_narrow_posters_rows_land_where_lvgl_reads_them) {
  const uint16_t sizes[][2] = {{120, 225}, {100, 150}, {149, 225}, {150, 225}, {150, 84},
                               {1, 1},     {17, 225},  {150, 1},   {33, 57}};
  for (const auto &size : sizes) {
    for (uint32_t mcu : {8u, 16u}) {
      mq_poster_layout_t layout;
      CHECK(mq_poster_layout(size[0], size[1], &layout));
      Canvas canvas(MQ_POSTER_CANVAS_PIXELS);
      mq_poster_clear(&layout, canvas.data.get(), canvas.pixels, kBackground);
      decode(layout, canvas, size[0], size[1], mcu);
      check_as_lvgl_reads(layout, canvas);
    }
  }
}

TEST(poster, blocks_outside_the_image_are_clipped_and_bad_arguments_refused) {
  mq_poster_layout_t layout;
  CHECK(mq_poster_layout(120, 180, &layout));
  Canvas canvas(MQ_POSTER_CANVAS_PIXELS);
  mq_poster_clear(&layout, canvas.data.get(), canvas.pixels, kBackground);
  std::vector<uint16_t> block(64 * 64, 0xFFFFu);
  // Hanging over every edge, wholly outside, and absurd sizes: clipped, never written outside.
  const int32_t places[][2] = {{-8, -8}, {110, 0}, {0, 170}, {110, 170}, {-64, 0}, {120, 0},
                               {0, 180}, {5000, 5000}, {-70000, -70000}};
  for (const auto &at : places) {
    CHECK(mq_poster_blit(&layout, canvas.data.get(), canvas.pixels, at[0], at[1], 64, 64,
                         block.data()));
  }
  uint32_t outside_written = 0;
  for (uint32_t r = 0; r < layout.canvas_h; r++) {
    for (uint32_t c = 0; c < layout.canvas_w; c++) {
      const bool inside = c >= layout.x && c < layout.x + layout.image_w && r >= layout.y &&
                          r < layout.y + layout.image_h;
      if (!inside && canvas.data[r * layout.stride + c] != kBackground) outside_written++;
    }
  }
  CHECK_EQ(outside_written, 0u);
  // The corner block at (110, 170) covered the image's last 10 x 10 pixels.
  CHECK_EQ(canvas.data[(layout.y + 179u) * layout.stride + layout.x + 119u], 0xFFFFu);
  CHECK(!mq_poster_blit(&layout, nullptr, canvas.pixels, 0, 0, 1, 1, block.data()));
  CHECK(!mq_poster_blit(&layout, canvas.data.get(), canvas.pixels, 0, 0, 1, 1, nullptr));
  Canvas small(MQ_POSTER_CANVAS_PIXELS - 1);  // a canvas short of the layout: refused, not overrun
  CHECK(!mq_poster_blit(&layout, small.data.get(), small.pixels, 0, 0, 1, 1, block.data()));
  mq_poster_clear(&layout, small.data.get(), small.pixels, kBackground);
  CHECK_EQ(small.data[small.pixels - 1], 0xDEADu);
}
