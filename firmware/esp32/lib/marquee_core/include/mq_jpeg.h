/*
 * A look at a poster before it is decoded. The panel's decoder (TJpgDec) handles baseline JPEG
 * only: a progressive or arithmetic-coded file, or one larger than the 150x225 box, would fail
 * half-way or overrun the poster buffer. The server's thumbnail route promises baseline 150x225;
 * this checks the promise on the bytes received, without decoding.
 */
#ifndef MQ_JPEG_H
#define MQ_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "mq_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  MQ_JPEG_OK = 0,
  /** No SOI marker: not a JPEG. */
  MQ_JPEG_NOT_JPEG,
  /** Ends before its frame header. */
  MQ_JPEG_TRUNCATED,
  /** Not baseline (progressive, extended, lossless, arithmetic-coded): TJpgDec cannot decode it. */
  MQ_JPEG_UNSUPPORTED,
  /** Larger than the box it must fit (MQ_POSTER_WIDTH x MQ_POSTER_HEIGHT) or MQ_POSTER_MAX_BYTES. */
  MQ_JPEG_TOO_LARGE
} mq_jpeg_result_t;

typedef struct {
  uint16_t width;
  uint16_t height;
  uint8_t components;
  /** The SOF marker's type: 0 baseline, 1 extended sequential, 2 progressive, ... */
  uint8_t sof;
} mq_jpeg_info_t;

/** Reads the frame header of `len` bytes of JPEG and checks they suit the panel's decoder. */
mq_jpeg_result_t mq_jpeg_probe(const uint8_t *data, size_t len, mq_jpeg_info_t *info);

/** "ok", "not a JPEG", "truncated", "not baseline", "too large". */
const char *mq_jpeg_result_name(mq_jpeg_result_t result);

#ifdef __cplusplus
}
#endif

#endif /* MQ_JPEG_H */
