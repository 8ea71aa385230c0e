/*
 * Result codes of the Marquee panel core. Every fallible core function returns one; none of them
 * allocates, throws or aborts, so a bad message costs the panel one frame, never the device.
 */
#ifndef MQ_STATUS_H
#define MQ_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  MQ_OK = 0,
  /** NULL or zero-length input. */
  MQ_ERR_EMPTY,
  /** Larger than its byte budget (MQ_JSON_BUDGET_BYTES for frames); refused before parsing. */
  MQ_ERR_TOO_LARGE,
  /** Not JSON. */
  MQ_ERR_SYNTAX,
  /** JSON, but more values than the parse arena holds (see MQ_JSON_MAX_NODES). */
  MQ_ERR_TOO_COMPLEX,
  /** The top level is not an object. */
  MQ_ERR_NOT_OBJECT,
  /** A full-profile snapshot (`timestamp`, not `ts`): the URL lacks `?profile=compact`. */
  MQ_ERR_WRONG_PROFILE,
  /** A required key is absent. */
  MQ_ERR_MISSING_FIELD,
  /** A key holds the wrong JSON type. */
  MQ_ERR_BAD_TYPE,
  /** A number outside its range (negative position, non-finite, ...). */
  MQ_ERR_BAD_VALUE,
  /** The output buffer is too small. */
  MQ_ERR_NO_SPACE,
  /** A call the current state does not allow (a command while another is pending, ...). */
  MQ_ERR_BUSY,
  /** An argument the function cannot use. */
  MQ_ERR_ARGUMENT
} mq_status_t;

/** A short English description, for logs and the network page. Never NULL. */
const char *mq_status_text(mq_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* MQ_STATUS_H */
