/* Where cJSON's header lives: Debian installs <cjson/cJSON.h>, ESP-IDF (and arduino-esp32 with
 * it) puts "cJSON.h" on the include path. Same library, same parsing code on both. */
#ifndef MQ_CJSON_H
#define MQ_CJSON_H

#if defined(__has_include)
#if __has_include(<cjson/cJSON.h>)
#include <cjson/cJSON.h>
#else
#include <cJSON.h>
#endif
#else
#include <cJSON.h>
#endif

#endif /* MQ_CJSON_H */
