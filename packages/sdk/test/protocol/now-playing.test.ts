import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod/mini';
import {
  Session,
  SessionUpdate,
  Snapshot,
  StatsResponse,
  StopSessionResponse,
  nowPlayingErrorShape,
  type SessionState,
} from '../../src/protocol/now-playing';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { expectIssueAt, testSeedExamples } from '../helpers/schema-assertions';

const examples = extractSeedExamples(readSeed('now-playing'));

describe('seed 000 examples', () => {
  // Each JSON example of the document, in document order, with the schema it documents.
  const schemas: Array<[string, z.ZodMiniType]> = [
    ['WebSocket message', Snapshot],
    ['stats response', StatsResponse],
    ['session update body', SessionUpdate],
    ['stop response', StopSessionResponse],
  ];

  testSeedExamples(examples, schemas);
});

describe('invalid variants', () => {
  const snapshot = examples[0]?.value as z.input<typeof Snapshot>;
  const session = snapshot.sessions[0]!;

  it('rejects an unknown session state at its path', () => {
    expectIssueAt(Snapshot, { ...snapshot, sessions: [{ ...session, state: 'rewinding' }] }, [
      'sessions',
      0,
      'state',
    ]);
  });

  it('rejects progress above 100 %', () => {
    expectIssueAt(Session, { ...session, progress_percent: 101 }, ['progress_percent']);
  });

  it('rejects a missing system block', () => {
    const { system: _system, ...rest } = snapshot;
    expectIssueAt(Snapshot, rest, ['system']);
  });

  it('rejects negative network rates and wrong types', () => {
    expectIssueAt(Snapshot, { ...snapshot, system: { ...snapshot.system, network_up_bps: -1 } }, [
      'system',
      'network_up_bps',
    ]);
    expectIssueAt(Snapshot, { ...snapshot, timestamp: '1768670000' }, ['timestamp']);
  });

  it('accepts a null cpu temperature (no sensor) but not a string', () => {
    expect(
      Snapshot.safeParse({ ...snapshot, system: { ...snapshot.system, cpu_temp: null } }).success,
    ).toBe(true);
    expectIssueAt(Snapshot, { ...snapshot, system: { ...snapshot.system, cpu_temp: 'hot' } }, [
      'system',
      'cpu_temp',
    ]);
  });

  it('rejects a session update without session_id or with a negative position', () => {
    const body = examples[2]?.value as Record<string, unknown>;
    const { session_id: _id, ...noId } = body;
    expectIssueAt(SessionUpdate, noId, ['session_id']);
    expectIssueAt(SessionUpdate, { ...body, current_time: -5 }, ['current_time']);
  });
});

describe('error shape', () => {
  it('renders and reads back FastAPI-style errors', () => {
    const body = nowPlayingErrorShape.render({
      status: 404,
      code: 'NOT_FOUND',
      message: 'Session not found',
    });
    expect(body).toEqual({ detail: 'Session not found', code: 'NOT_FOUND' });
    expect(nowPlayingErrorShape.read(body)).toEqual({
      code: 'NOT_FOUND',
      message: 'Session not found',
    });
    expect(nowPlayingErrorShape.read({ message: 'x', status_code: 400 })).toBeUndefined();
  });
});

describe('inferred types', () => {
  it('exposes the documented fields', () => {
    expectTypeOf<Snapshot['sessions'][number]['state']>().toEqualTypeOf<SessionState>();
    expectTypeOf<SessionState>().toEqualTypeOf<'playing' | 'paused' | 'stopped' | 'buffering'>();
    expectTypeOf<Snapshot['system']['cpu_temp']>().toEqualTypeOf<number | null>();
    expectTypeOf<SessionUpdate['poster_url']>().toEqualTypeOf<string | undefined>();
  });
});
