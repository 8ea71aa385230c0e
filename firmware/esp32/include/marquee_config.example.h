/*
 * Panel settings. Copy this file to include/marquee_config.h (git ignores that one) and edit it;
 * the firmware does not build without it.
 */
#pragma once

/* Wi-Fi (2.4 GHz). */
#define MARQUEE_WIFI_SSID "your-ssid"
#define MARQUEE_WIFI_PASSWORD "your-password"

/* The Marquee server, as `npm start` prints it: host name or IP, and port. */
#define MARQUEE_SERVER_HOST "192.168.1.10"
#define MARQUEE_SERVER_PORT 8000

/*
 * Read access. Leave empty on a default server (the Now Playing socket is open on the LAN). When
 * the server runs with MARQUEE_NOW_PLAYING_WS_AUTH=token, put a display token here (mqd_..., made
 * with POST /api/v1/admin/display-tokens/ and scope "now-playing" or "*").
 */
#define MARQUEE_DISPLAY_TOKEN ""

/*
 * Pause / resume / stop from the touch screen need a user: display tokens are read-only. Either
 * a user name and password that the panel signs in with (it signs in again when its access token
 * expires), or a fixed bearer token. All empty: the buttons say "NO_CREDENTIALS".
 */
#define MARQUEE_CONTROL_USER ""
#define MARQUEE_CONTROL_PASSWORD ""
#define MARQUEE_CONTROL_TOKEN ""

/* Night dimming, in local time (POSIX TZ string, e.g. "UTC0", "CET-1CEST,M3.5.0,M10.5.0/3"). */
#define MARQUEE_TZ "CET-1CEST,M3.5.0,M10.5.0/3"
#define MARQUEE_NIGHT_FROM_HOUR 22
#define MARQUEE_NIGHT_TO_HOUR 7
#define MARQUEE_BACKLIGHT_DAY 255
#define MARQUEE_BACKLIGHT_NIGHT 24
