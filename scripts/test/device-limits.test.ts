/**
 * firmware/esp32/limits.json is the one place for the ESP32 panel's limits. The firmware reads
 * them from a generated header, TypeScript imports the JSON; this test fails when the committed
 * header drifts from the JSON, and when a limit no longer matches the protocol constant it
 * mirrors (the compact profile's byte budget above all: the panel parses frames into a buffer of
 * exactly that size).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { protocol } from '@marquee/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import limits from '../../firmware/esp32/limits.json' with { type: 'json' };

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = join(root, 'scripts/gen-device-limits.mjs');
const header = join(root, 'firmware/esp32/lib/marquee_core/include/marquee_limits.h');
const work = mkdtempSync(join(tmpdir(), 'marquee-limits-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

function generate(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
}

describe('the device limits header', () => {
  it('matches limits.json (regenerate with: node scripts/gen-device-limits.mjs)', () => {
    const result = generate('--check');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('defines every limit with its value', () => {
    const text = readFileSync(header, 'utf8');
    expect(text).toMatch(/^#define MQ_JSON_BUDGET_BYTES +1024u$/m);
    expect(text).toMatch(/^#define MQ_HEARTBEAT_INTERVAL_MS +15000u$/m);
    const defines = [...text.matchAll(/^#define (MQ_\w+) +(\d+)u$/gm)];
    const numbers = Object.entries(limits).filter(([key]) => key !== '$comment');
    expect(defines).toHaveLength(numbers.length);
    expect(defines.map((d) => Number(d[2])).sort()).toEqual(numbers.map(([, v]) => v).sort());
  });

  it('catches a header that drifted and a limits file it does not know', () => {
    const json = join(work, 'limits.json');
    const copy = join(work, 'marquee_limits.h');
    copyFileSync(header, copy);
    writeFileSync(json, JSON.stringify({ ...limits, jsonBudgetBytes: 2048 }));
    const drifted = generate('--check', '--limits', json, '--header', copy);
    expect(drifted.status).toBe(1);
    expect(drifted.stderr).toContain('does not match');

    expect(generate('--limits', json, '--header', copy).status).toBe(0);
    expect(readFileSync(copy, 'utf8')).toMatch(/^#define MQ_JSON_BUDGET_BYTES +2048u$/m);

    writeFileSync(json, JSON.stringify({ ...limits, maxSessions: 0, extra: 1 }));
    const invalid = generate('--check', '--limits', json, '--header', copy);
    expect(invalid.status).not.toBe(0);
    expect(invalid.stderr).toContain('unknown key extra');
    expect(invalid.stderr).toContain('maxSessions must be a positive 32-bit integer');
  });
});

describe('limits.json against the protocol', () => {
  const { nowPlaying, media, playback } = protocol;

  it('uses the compact profile byte budget the server guarantees', () => {
    expect(limits.jsonBudgetBytes).toBe(nowPlaying.COMPACT_MAX_BYTES);
    expect(limits.httpBodyBytes).toBeGreaterThanOrEqual(limits.jsonBudgetBytes);
  });

  it('holds every title and user name the compact profile sends', () => {
    expect(limits.titleBytes).toBe(nowPlaying.COMPACT_TITLE_BYTES);
    expect(limits.userBytes).toBe(nowPlaying.COMPACT_USER_BYTES);
  });

  it('keeps every session id the server accepts', () => {
    const id = (length: number) => ({ session_id: 'x'.repeat(length) });
    expect(nowPlaying.SessionIdParams.safeParse(id(limits.sessionIdBytes)).success).toBe(true);
    expect(nowPlaying.SessionIdParams.safeParse(id(limits.sessionIdBytes + 1)).success).toBe(false);
  });

  it("asks the thumbnail route for the seed's poster box and the control route's default wait", () => {
    expect(limits.posterWidth).toBe(media.THUMB_DEFAULT_WIDTH);
    expect(limits.posterHeight).toBe(media.THUMB_DEFAULT_HEIGHT);
    expect(limits.controlTimeoutMs).toBe(playback.CONTROL_TIMEOUT_MS.default);
  });

  it("keeps the seed's ESP32 numbers: enableHeartbeat(15000, 3000, 2), setReconnectInterval(5000)", () => {
    expect([
      limits.heartbeatIntervalMs,
      limits.heartbeatPongTimeoutMs,
      limits.heartbeatMaxMisses,
    ]).toEqual([15_000, 3_000, 2]);
    expect(limits.reconnectIntervalMs).toBe(5_000);
    expect(limits.reconnectMaxMs).toBeGreaterThan(limits.reconnectIntervalMs);
  });
});
