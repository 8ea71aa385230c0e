// Writes firmware/esp32/lib/marquee_core/include/marquee_limits.h from firmware/esp32/limits.json,
// the one place for the ESP32 panel's limits (the firmware reads the header, TypeScript imports the
// JSON). `--check` writes nothing and exits 1 when the committed header differs from the JSON.
//
//   node scripts/gen-device-limits.mjs           regenerate the header
//   node scripts/gen-device-limits.mjs --check   drift check (run by scripts/test/device-limits.test.ts)
//   --limits <file> --header <file>              other paths (the tests use temporary copies)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Every key limits.json must have, its C name and what it means (the header's comments). */
const KEYS = [
  [
    'jsonBudgetBytes',
    'MQ_JSON_BUDGET_BYTES',
    'Largest WebSocket frame the panel parses, in bytes of UTF-8 JSON (the compact profile guarantees it).',
  ],
  [
    'jsonMaxNodes',
    'MQ_JSON_MAX_NODES',
    'JSON values a document may hold and still be guaranteed to fit the parse arena.',
  ],
  [
    'jsonMaxDepth',
    'MQ_JSON_MAX_DEPTH',
    'Deepest nesting of arrays and objects accepted; checked before cJSON recurses (stack safety).',
  ],
  [
    'httpBodyBytes',
    'MQ_HTTP_BODY_BYTES',
    'Largest HTTP response body (control, stop, login answers) the panel parses.',
  ],
  ['maxSessions', 'MQ_MAX_SESSIONS', 'Sessions kept per frame; later ones are counted in `more`.'],
  [
    'sessionIdBytes',
    'MQ_SESSION_ID_BYTES',
    'Longest session id kept (the server allows 200 characters); a longer one cannot be controlled.',
  ],
  [
    'titleBytes',
    'MQ_TITLE_BYTES',
    'Title buffer, UTF-8 bytes without the NUL (the compact profile cuts titles to 48).',
  ],
  [
    'userBytes',
    'MQ_USER_BYTES',
    'User name buffer, UTF-8 bytes without the NUL (the compact profile cuts them to 16).',
  ],
  [
    'thumbPathBytes',
    'MQ_THUMB_PATH_BYTES',
    'Longest poster thumbnail path kept; a longer one is dropped, never cut.',
  ],
  ['authTokenBytes', 'MQ_AUTH_TOKEN_BYTES', 'Longest bearer token (display token or access JWT).'],
  [
    'heartbeatIntervalMs',
    'MQ_HEARTBEAT_INTERVAL_MS',
    'A WebSocket ping every this many milliseconds.',
  ],
  [
    'heartbeatPongTimeoutMs',
    'MQ_HEARTBEAT_PONG_TIMEOUT_MS',
    'Time after a ping for the server to show life (pong or any frame).',
  ],
  [
    'heartbeatMaxMisses',
    'MQ_HEARTBEAT_MAX_MISSES',
    'Missed pongs in a row after which the panel reconnects.',
  ],
  [
    'reconnectIntervalMs',
    'MQ_RECONNECT_INTERVAL_MS',
    'Cap of the first reconnect delay (jitter: each delay is uniform in [reconnectMinMs, cap)).',
  ],
  [
    'reconnectMinMs',
    'MQ_RECONNECT_MIN_MS',
    'Shortest reconnect delay after a failure: a refused server is never retried at once.',
  ],
  ['reconnectMaxMs', 'MQ_RECONNECT_MAX_MS', 'Upper bound of every reconnect delay.'],
  ['reconnectFactor', 'MQ_RECONNECT_FACTOR', 'Growth of the delay cap per failed attempt.'],
  [
    'connectTimeoutMs',
    'MQ_CONNECT_TIMEOUT_MS',
    'A connect plus WebSocket handshake that takes longer counts as failed.',
  ],
  [
    'staleAfterMs',
    'MQ_STALE_AFTER_MS',
    'Without a frame for this long the screen marks its data stale and stops moving progress.',
  ],
  [
    'controlTimeoutMs',
    'MQ_CONTROL_TIMEOUT_MS',
    '`timeout_ms` sent with a control command (the server waits this long for the player).',
  ],
  [
    'controlGraceMs',
    'MQ_CONTROL_GRACE_MS',
    'Extra time on top of controlTimeoutMs before the panel gives a command up as timed out.',
  ],
  [
    'posterWidth',
    'MQ_POSTER_WIDTH',
    'Poster thumbnail box width asked of /api/media/thumb, in pixels.',
  ],
  ['posterHeight', 'MQ_POSTER_HEIGHT', 'Poster thumbnail box height, in pixels.'],
  ['posterMaxBytes', 'MQ_POSTER_MAX_BYTES', 'Largest poster JPEG the panel downloads and decodes.'],
];

/** Parses and checks limits.json's text: exactly the known keys, each a positive integer. */
export function readLimits(text) {
  const json = JSON.parse(text);
  const problems = [];
  const known = new Set(KEYS.map(([key]) => key));
  for (const key of Object.keys(json)) {
    if (!known.has(key) && key !== '$comment') problems.push(`unknown key ${key}`);
  }
  for (const [key] of KEYS) {
    const value = json[key];
    if (!Number.isSafeInteger(value) || value <= 0 || value > 0xffffffff) {
      problems.push(`${key} must be a positive 32-bit integer, got ${JSON.stringify(value)}`);
    }
  }
  if (problems.length > 0) throw new Error(`limits.json: ${problems.join('; ')}`);
  return json;
}

/** The header's text for parsed limits. */
export function renderHeader(limits, source = 'firmware/esp32/limits.json') {
  const width = Math.max(...KEYS.map(([, name]) => name.length));
  const lines = [
    '/*',
    ` * GENERATED from ${source} by scripts/gen-device-limits.mjs. Do not edit:`,
    ' * change the JSON and run `node scripts/gen-device-limits.mjs`. The TypeScript side imports',
    ' * the same JSON, and scripts/test/device-limits.test.ts fails when the two drift apart.',
    ' */',
    '#ifndef MARQUEE_LIMITS_H',
    '#define MARQUEE_LIMITS_H',
    '',
  ];
  for (const [key, name, doc] of KEYS) {
    lines.push(`/** ${doc} */`);
    lines.push(`#define ${name.padEnd(width)} ${limits[key]}u`);
  }
  lines.push('', '#endif /* MARQUEE_LIMITS_H */', '');
  return lines.join('\n');
}

function main(argv) {
  const arg = (name, fallback) => {
    const index = argv.indexOf(name);
    return index >= 0 && argv[index + 1] ? argv[index + 1] : fallback;
  };
  const limitsPath = arg('--limits', join(root, 'firmware/esp32/limits.json'));
  const headerPath = arg(
    '--header',
    join(root, 'firmware/esp32/lib/marquee_core/include/marquee_limits.h'),
  );
  const expected = renderHeader(readLimits(readFileSync(limitsPath, 'utf8')));
  if (argv.includes('--check')) {
    let actual = '';
    try {
      actual = readFileSync(headerPath, 'utf8');
    } catch {
      // a missing header is drift too
    }
    if (actual !== expected) {
      console.error(
        `${relative(root, headerPath)} does not match ${relative(root, limitsPath)}; run: node scripts/gen-device-limits.mjs`,
      );
      return 1;
    }
    return 0;
  }
  writeFileSync(headerPath, expected);
  console.log(`wrote ${relative(root, headerPath)}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
