import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CONTROL_TIMEOUT_MS,
  type ControlCommand,
  ControlRequest,
  PlayerClientMessage,
  PlayerServerMessage,
  PlaybackErrorCodes,
  playbackChannels,
  playbackRoutes,
  type PlaybackAction,
} from '../../src/protocol/playback';
import { expectIssueAt } from '../helpers/schema-assertions';

describe('playback control protocol', () => {
  it('defaults timeout_ms and bounds it', () => {
    expect(ControlRequest.parse({ action: 'pause' })).toEqual({
      action: 'pause',
      timeout_ms: CONTROL_TIMEOUT_MS.default,
    });
    expectIssueAt(ControlRequest, { action: 'pause', timeout_ms: 99 }, ['timeout_ms']);
    expectIssueAt(ControlRequest, { action: 'pause', timeout_ms: 30_001 }, ['timeout_ms']);
    expectIssueAt(ControlRequest, { action: 'pause', timeout_ms: 250.5 }, ['timeout_ms']);
    expectIssueAt(ControlRequest, { action: 'skip' }, ['action']);
  });

  it('takes seek with a position in seconds, and a position only with seek', () => {
    expect(ControlRequest.parse({ action: 'seek', position: 90.5 })).toEqual({
      action: 'seek',
      position: 90.5,
      timeout_ms: CONTROL_TIMEOUT_MS.default,
    });
    expectIssueAt(ControlRequest, { action: 'seek' }, ['position']);
    expectIssueAt(ControlRequest, { action: 'pause', position: 3 }, ['position']);
    expectIssueAt(ControlRequest, { action: 'seek', position: -1 }, ['position']);
  });

  it('discriminates both directions of the player channel by type', () => {
    const command = {
      type: 'control',
      command_id: 'c1',
      session_id: 's1',
      action: 'stop',
      issued_at: 1_768_670_000.25,
      timeout_ms: 5000,
    };
    const parsed = PlayerServerMessage.parse(command);
    expect(parsed).toEqual(command);
    if (parsed.type === 'control') expectTypeOf(parsed).toEqualTypeOf<ControlCommand>();
    expectTypeOf<ControlCommand['action']>().toEqualTypeOf<PlaybackAction>();
    expect(
      PlayerClientMessage.parse({ type: 'ack', command_id: 'c1', ok: false, error: 'x' }),
    ).toEqual({ type: 'ack', command_id: 'c1', ok: false, error: 'x' });
    expectIssueAt(PlayerClientMessage, { type: 'ack', command_id: '', ok: true }, ['command_id']);
    expectIssueAt(
      PlayerClientMessage,
      { type: 'ack', command_id: 'c', ok: true, error: 'e'.repeat(2001) },
      ['error'],
    );
    expect(PlayerClientMessage.safeParse({ type: 'control' }).success).toBe(false);
  });

  it('documents a status for every playback error code, and marks its route and channel as extensions', () => {
    const [route] = playbackRoutes;
    for (const status of Object.values(PlaybackErrorCodes)) {
      expect(route.responses).toHaveProperty(String(status));
    }
    expect(route.extension).toBe(true);
    expect(playbackChannels[0]).toMatchObject({
      path: '/api/dashboard/player/ws',
      extension: true,
    });
  });
});
