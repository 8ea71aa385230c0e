/**
 * What the reference firmware does with one WebSocket frame (firmware/esp32/lib/marquee_core,
 * mq_json.c and mq_frame.c), in TypeScript: refuse it before parsing when it is over the JSON
 * budget or nested too deep, recognise a full-profile snapshot as a configuration error, then
 * copy it into fixed-size fields. Unknown keys are ignored, an unknown `state` shows as `?`,
 * percentages are clamped, texts are cut between characters to the firmware's buffers, sessions
 * past `maxSessions` are counted in `more`. Error texts are the firmware's (mq_status.c), so the
 * simulator's network page reads like the panel's.
 *
 * One deliberate approximation: the firmware's parse arena is sized to be *guaranteed* to hold
 * `jsonMaxNodes` values; a document with more is refused here (the panel may still fit a few
 * more). Compact frames hold about 50.
 */
import type { PanelLimits } from './limits';

/** Session state as the panel knows it; `unknown` is a newer server's state (shown as `?`). */
export type PanelSessionState = 'playing' | 'paused' | 'stopped' | 'buffering' | 'unknown';

export interface PanelSession {
  readonly id: string;
  /** Cut to `titleBytes` UTF-8 bytes (with `…`) when longer. */
  readonly title: string;
  readonly user: string;
  readonly state: PanelSessionState;
  /** Percent at `ts`, clamped to 0–100. */
  readonly pct: number;
  /** Seconds into the media at the frame's `ts`. */
  readonly pos: number;
  /** Seconds; 0 when unknown. */
  readonly dur: number;
  /** Poster path, or null (none, too long or not a printable path). */
  readonly thumb: string | null;
  /** The id was longer than `sessionIdBytes`: shown, but commands cannot address it. */
  readonly idTooLong: boolean;
}

export interface PanelSystem {
  readonly cpu: number;
  /** °C, or null without a sensor. */
  readonly temp: number | null;
  readonly ram: number;
  readonly disk: number;
  /** Bits per second. */
  readonly down: number;
  readonly up: number;
}

/** A frame the panel accepted. */
export interface PanelFrame {
  readonly sessions: readonly PanelSession[];
  /** Sessions not listed: the server's `more` plus those past `maxSessions`. */
  readonly more: number;
  readonly system: PanelSystem;
  /** Unix seconds when the server took the snapshot. */
  readonly ts: number;
}

/** Why a frame was refused (the firmware's `mq_status_t`). */
export const FrameErrors = {
  empty: 'empty message',
  too_large: 'message over the byte budget',
  syntax: 'malformed JSON',
  too_complex: 'too many JSON values',
  not_object: 'not a JSON object',
  wrong_profile: 'full snapshot received: add ?profile=compact',
  missing_field: 'required field missing',
  bad_type: 'field of the wrong type',
  bad_value: 'field out of range',
} as const;
export type FrameErrorCode = keyof typeof FrameErrors;

export type FrameResult =
  | { readonly ok: true; readonly frame: PanelFrame }
  | {
      readonly ok: false;
      readonly code: FrameErrorCode;
      /** The key where parsing stopped (`$` for the document). */
      readonly field: string;
    };

class Refused extends Error {
  constructor(
    readonly code: FrameErrorCode,
    readonly field: string,
  ) {
    super(FrameErrors[code]);
  }
}

type Limits = Pick<
  PanelLimits,
  | 'jsonBudgetBytes'
  | 'jsonMaxNodes'
  | 'jsonMaxDepth'
  | 'maxSessions'
  | 'sessionIdBytes'
  | 'titleBytes'
  | 'userBytes'
  | 'thumbPathBytes'
>;

const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;
const STATES = new Set(['playing', 'paused', 'stopped', 'buffering']);

/** Parses one frame of UTF-8 JSON as the panel would. */
export function parsePanelFrame(data: Buffer, limits: Limits): FrameResult {
  try {
    return { ok: true, frame: parse(data, limits) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, code: error.code, field: error.field };
    throw error;
  }
}

function parse(data: Buffer, limits: Limits): PanelFrame {
  if (data.length === 0) throw new Refused('empty', '$');
  if (data.length > limits.jsonBudgetBytes) throw new Refused('too_large', '$');
  const text = data.toString('utf8');
  const depth = nestingDepth(text);
  if (depth === undefined) throw new Refused('syntax', '$');
  if (depth > limits.jsonMaxDepth) throw new Refused('too_complex', '$');
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    throw new Refused('syntax', '$');
  }
  if (countValues(root) > limits.jsonMaxNodes) throw new Refused('too_complex', '$');
  if (!isObject(root)) throw new Refused('not_object', '$');
  if (!('ts' in root) && 'timestamp' in root) throw new Refused('wrong_profile', 'timestamp');
  const ts = Math.trunc(number(root, 'ts', 0));

  const list = root.sessions;
  if (list === undefined) throw new Refused('missing_field', 'sessions');
  if (!Array.isArray(list)) throw new Refused('bad_type', 'sessions');
  const sessions: PanelSession[] = [];
  let more = 0;
  for (const entry of list as unknown[]) {
    if (sessions.length >= limits.maxSessions) more += 1;
    else sessions.push(session(entry, limits));
  }
  if (root.more !== undefined) more += Math.trunc(number(root, 'more', 0));
  return { sessions, more, system: system(root.system), ts };
}

function session(entry: unknown, limits: Limits): PanelSession {
  if (!isObject(entry)) throw new Refused('bad_type', 'sessions[]');
  const id = string(entry, 'id');
  if (id === '') throw new Refused('bad_value', 'id');
  const title = cutUtf8(string(entry, 'title'), limits.titleBytes);
  const user = cutUtf8(string(entry, 'user'), limits.userBytes);
  const state = string(entry, 'state');
  const pct = clampPercent(number(entry, 'pct', -Infinity));
  const pos = Math.trunc(number(entry, 'pos', 0));
  const dur = Math.trunc(number(entry, 'dur', 0));
  let thumb: string | null = null;
  const rawThumb = entry.thumb;
  if (rawThumb !== undefined && rawThumb !== null) {
    if (typeof rawThumb !== 'string') throw new Refused('bad_type', 'thumb');
    if (Buffer.byteLength(rawThumb) <= limits.thumbPathBytes && usablePath(rawThumb))
      thumb = rawThumb;
  }
  return {
    id,
    title,
    user,
    state: STATES.has(state) ? (state as PanelSessionState) : 'unknown',
    pct,
    pos,
    dur,
    thumb,
    idTooLong: Buffer.byteLength(id) > limits.sessionIdBytes,
  };
}

function system(value: unknown): PanelSystem {
  if (value === undefined) throw new Refused('missing_field', 'system');
  if (!isObject(value)) throw new Refused('bad_type', 'system');
  const temp = value.temp === undefined || value.temp === null ? null : number(value, 'temp');
  return {
    cpu: clampPercent(number(value, 'cpu', -Infinity)),
    ram: clampPercent(number(value, 'ram', -Infinity)),
    disk: clampPercent(number(value, 'disk', -Infinity)),
    down: Math.trunc(number(value, 'down', 0)),
    up: Math.trunc(number(value, 'up', 0)),
    temp: temp === null ? null : Math.round(temp * 10) / 10,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required finite number >= `min` (the firmware also refuses values past 2^53). */
function number(object: Record<string, unknown>, key: string, min = -Infinity): number {
  const value = object[key];
  if (value === undefined) throw new Refused('missing_field', key);
  if (typeof value !== 'number') throw new Refused('bad_type', key);
  if (!Number.isFinite(value) || value < min || value > 2 ** 53) {
    throw new Refused('bad_value', key);
  }
  return value;
}

function string(object: Record<string, unknown>, key: string): string {
  const value = object[key];
  if (value === undefined) throw new Refused('missing_field', key);
  if (typeof value !== 'string') throw new Refused('bad_type', key);
  return value;
}

function clampPercent(value: number): number {
  return Math.round(Math.min(100, Math.max(0, value)) * 10) / 10;
}

/** A poster path goes into an HTTP request line: printable ASCII, starting with `/`. */
function usablePath(path: string): boolean {
  return /^\/[\x21-\x7e]*$/.test(path);
}

/**
 * `text` as the firmware copies it into a buffer of `maxBytes`: control characters become spaces
 * and a text that does not fit is cut between characters, ending in `…`.
 */
export function cutUtf8(text: string, maxBytes: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (Buffer.byteLength(clean) <= maxBytes) return clean;
  if (maxBytes < ELLIPSIS_BYTES) return '';
  const room = maxBytes - ELLIPSIS_BYTES;
  let out = '';
  let used = 0;
  for (const char of clean) {
    const bytes = Buffer.byteLength(char);
    if (used + bytes > room) break;
    out += char;
    used += bytes;
  }
  return out + ELLIPSIS;
}

/** Deepest bracket nesting outside strings; undefined when the brackets do not balance. */
function nestingDepth(text: string): number | undefined {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let escaped = false;
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') {
      if (depth === 0) return undefined;
      depth -= 1;
    }
  }
  return depth === 0 && !inString ? deepest : undefined;
}

/** JSON values in a parsed document, containers included (one cJSON node each). */
function countValues(value: unknown): number {
  if (Array.isArray(value)) {
    let total = 1;
    for (const item of value as unknown[]) total += countValues(item);
    return total;
  }
  if (isObject(value)) {
    let total = 1;
    for (const item of Object.values(value)) total += countValues(item);
    return total;
  }
  return 1;
}
