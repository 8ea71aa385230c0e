/*
 * GENERATED from firmware/esp32/limits.json by scripts/gen-device-limits.mjs. Do not edit:
 * change the JSON and run `node scripts/gen-device-limits.mjs`. The TypeScript side imports
 * the same JSON, and scripts/test/device-limits.test.ts fails when the two drift apart.
 */
#ifndef MARQUEE_LIMITS_H
#define MARQUEE_LIMITS_H

/** Largest WebSocket frame the panel parses, in bytes of UTF-8 JSON (the compact profile guarantees it). */
#define MQ_JSON_BUDGET_BYTES         1024u
/** JSON values a document may hold and still be guaranteed to fit the parse arena. */
#define MQ_JSON_MAX_NODES            160u
/** Deepest nesting of arrays and objects accepted; checked before cJSON recurses (stack safety). */
#define MQ_JSON_MAX_DEPTH            8u
/** Largest HTTP response body (control, stop, login answers) the panel parses. */
#define MQ_HTTP_BODY_BYTES           2048u
/** Sessions kept per frame; later ones are counted in `more`. */
#define MQ_MAX_SESSIONS              4u
/** Longest session id kept (the server allows 200 characters); a longer one cannot be controlled. */
#define MQ_SESSION_ID_BYTES          200u
/** Title buffer, UTF-8 bytes without the NUL (the compact profile cuts titles to 48). */
#define MQ_TITLE_BYTES               48u
/** User name buffer, UTF-8 bytes without the NUL (the compact profile cuts them to 16). */
#define MQ_USER_BYTES                16u
/** Longest poster thumbnail path kept; a longer one is dropped, never cut. */
#define MQ_THUMB_PATH_BYTES          256u
/** Longest bearer token (display token or access JWT). */
#define MQ_AUTH_TOKEN_BYTES          1024u
/** A WebSocket ping every this many milliseconds. */
#define MQ_HEARTBEAT_INTERVAL_MS     15000u
/** Time after a ping for the server to show life (pong or any frame). */
#define MQ_HEARTBEAT_PONG_TIMEOUT_MS 3000u
/** Missed pongs in a row after which the panel reconnects. */
#define MQ_HEARTBEAT_MAX_MISSES      2u
/** Cap of the first reconnect delay (jitter: each delay is uniform in [reconnectMinMs, cap)). */
#define MQ_RECONNECT_INTERVAL_MS     5000u
/** Shortest reconnect delay after a failure: a refused server is never retried at once. */
#define MQ_RECONNECT_MIN_MS          1000u
/** Upper bound of every reconnect delay. */
#define MQ_RECONNECT_MAX_MS          60000u
/** Growth of the delay cap per failed attempt. */
#define MQ_RECONNECT_FACTOR          2u
/** A connect plus WebSocket handshake that takes longer counts as failed. */
#define MQ_CONNECT_TIMEOUT_MS        10000u
/** Without a frame for this long the screen marks its data stale and stops moving progress. */
#define MQ_STALE_AFTER_MS            10000u
/** `timeout_ms` sent with a control command (the server waits this long for the player). */
#define MQ_CONTROL_TIMEOUT_MS        5000u
/** Extra time on top of controlTimeoutMs before the panel gives a command up as timed out. */
#define MQ_CONTROL_GRACE_MS          2000u
/** Poster thumbnail box width asked of /api/media/thumb, in pixels. */
#define MQ_POSTER_WIDTH              150u
/** Poster thumbnail box height, in pixels. */
#define MQ_POSTER_HEIGHT             225u
/** Largest poster JPEG the panel downloads and decodes. */
#define MQ_POSTER_MAX_BYTES          49152u

#endif /* MARQUEE_LIMITS_H */
