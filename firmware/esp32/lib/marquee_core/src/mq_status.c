#include "mq_status.h"

const char *mq_status_text(mq_status_t status) {
  switch (status) {
    case MQ_OK: return "ok";
    case MQ_ERR_EMPTY: return "empty message";
    case MQ_ERR_TOO_LARGE: return "message over the byte budget";
    case MQ_ERR_SYNTAX: return "malformed JSON";
    case MQ_ERR_TOO_COMPLEX: return "too many JSON values";
    case MQ_ERR_NOT_OBJECT: return "not a JSON object";
    case MQ_ERR_WRONG_PROFILE: return "full snapshot received: add ?profile=compact";
    case MQ_ERR_MISSING_FIELD: return "required field missing";
    case MQ_ERR_BAD_TYPE: return "field of the wrong type";
    case MQ_ERR_BAD_VALUE: return "field out of range";
    case MQ_ERR_NO_SPACE: return "buffer too small";
    case MQ_ERR_BUSY: return "busy";
    case MQ_ERR_ARGUMENT: return "bad argument";
  }
  return "unknown error";
}
