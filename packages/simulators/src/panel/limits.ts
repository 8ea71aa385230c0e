/**
 * The ESP32 panel's limits, from the one file the firmware's header is generated from
 * (firmware/esp32/limits.json; see scripts/gen-device-limits.mjs). The JSON is bundled into the
 * build, and validated here so a key renamed there fails loudly here instead of turning into
 * `undefined` budgets. Tests may narrow a copy (`{ ...PANEL_LIMITS, heartbeatIntervalMs: 50 }`).
 */
import { z } from 'zod';
import limitsJson from '../../../../firmware/esp32/limits.json' with { type: 'json' };

const count = z.number().int().positive();

/** The limits the simulator enforces or uses, in the units of limits.json. */
export const PanelLimits = z.object({
  /** Largest WebSocket frame the panel parses, in bytes of UTF-8 JSON. */
  jsonBudgetBytes: count,
  /** JSON values (objects, arrays, strings, numbers ...) a frame may hold. */
  jsonMaxNodes: count,
  /** Deepest nesting of arrays and objects. */
  jsonMaxDepth: count,
  /** Largest HTTP answer body parsed (control and stop answers). */
  httpBodyBytes: count,
  /** Sessions kept per frame; the rest are counted in `more`. */
  maxSessions: count,
  /** Longest session id the panel can send back; a longer one is shown but not controllable. */
  sessionIdBytes: count,
  /** Title buffer, UTF-8 bytes. */
  titleBytes: count,
  /** User name buffer, UTF-8 bytes. */
  userBytes: count,
  /** Longest poster path kept; a longer one is dropped. */
  thumbPathBytes: count,
  /** A WebSocket ping every this many milliseconds. */
  heartbeatIntervalMs: count,
  /** Time after a ping for the server to show life (pong or any frame). */
  heartbeatPongTimeoutMs: count,
  /** Missed pongs in a row after which the panel reconnects. */
  heartbeatMaxMisses: count,
  /** Cap of the first reconnect delay (full jitter). */
  reconnectIntervalMs: count,
  /** Upper bound of every reconnect delay. */
  reconnectMaxMs: count,
  /** Growth of the delay cap per failed attempt. */
  reconnectFactor: z.number().min(1),
  /** Connect plus handshake longer than this counts as failed. */
  connectTimeoutMs: count,
  /** No frame for this long marks the screen stale (progress stops moving). */
  staleAfterMs: count,
  /** `timeout_ms` of a control request. */
  controlTimeoutMs: count,
  /** Extra time a command waits for its HTTP answer beyond `controlTimeoutMs`. */
  controlGraceMs: count,
});
export type PanelLimits = z.infer<typeof PanelLimits>;

/** The reference firmware's limits (firmware/esp32/limits.json). */
export const PANEL_LIMITS: PanelLimits = Object.freeze(PanelLimits.parse(limitsJson));
