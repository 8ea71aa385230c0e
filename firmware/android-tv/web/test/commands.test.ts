import { describe, expect, it } from 'vitest';
import { planCommand } from '../src/commands';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const browser = { brightness: false };
const tv = { brightness: true };

describe('planCommand', () => {
  it('acks a command past its expires_at as expired and does not apply it', () => {
    const plan = planCommand(
      { action: 'next', command_id: 'c1', expires_at: '2026-01-01T11:59:59.000Z' },
      NOW,
      tv,
    );
    expect(plan).toEqual({
      kind: 'expired',
      ack: {
        type: 'ack',
        command_id: 'c1',
        ok: false,
        expired: true,
        error: 'Expired at 2026-01-01T11:59:59.000Z; not applied',
      },
    });
    // Exactly at the instant counts as expired; a later expiry or none applies.
    expect(
      planCommand(
        { action: 'next', command_id: 'c', expires_at: new Date(NOW).toISOString() },
        NOW,
        tv,
      ).kind,
    ).toBe('expired');
    expect(
      planCommand({ action: 'next', expires_at: new Date(NOW + 1).toISOString() }, NOW, tv),
    ).toEqual({ kind: 'apply', effect: { kind: 'next' } });
    expect(planCommand({ action: 'next' }, NOW, tv).kind).toBe('apply');
  });

  it('maps each seed action and take_screenshot to its effect', () => {
    const plans = [
      planCommand({ action: 'play' }, NOW, tv),
      planCommand({ action: 'play_media', media_index: 2 }, NOW, tv),
      planCommand({ action: 'switch_playlist', playlist_id: 7 }, NOW, tv),
      planCommand({ action: 'reload_playlist' }, NOW, tv),
      planCommand({ action: 'hide_text_overlay' }, NOW, tv),
      planCommand({ action: 'set_brightness', brightness: 30 }, NOW, tv),
      planCommand({ action: 'set_volume', volume: 40 }, NOW, browser),
      planCommand({ action: 'take_screenshot' }, NOW, browser),
    ];
    expect(plans.map((p) => (p.kind === 'apply' ? p.effect : p))).toEqual([
      { kind: 'play' },
      { kind: 'jump', mediaIndex: 2 },
      { kind: 'switch', playlistId: 7 },
      { kind: 'reload' },
      { kind: 'overlay', overlay: undefined },
      { kind: 'brightness', level: 30 },
      { kind: 'volume', level: 40 },
      { kind: 'screenshot' },
    ]);
  });

  it('refuses brightness as unsupported where there is no native bridge', () => {
    expect(planCommand({ action: 'set_brightness', brightness: 30 }, NOW, browser)).toEqual({
      kind: 'unsupported',
      error: 'Brightness is not supported here: no native bridge (a plain browser)',
    });
  });
});
