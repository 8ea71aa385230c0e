/**
 * The fan-out payload: seed 000's own snapshot example (its `WS /api/dashboard/ws` message),
 * posted to the server as session updates, with more sessions of the same shape until the
 * server's snapshot is about 1.6 KB (the size issue 5 names; one session alone is ~0.7 KB).
 */
import { extractSeedExamples, readSeed } from '../../packages/sdk/test/helpers/seed-examples';
import type { BenchServer } from './marquee';

/** The seed's example snapshot size target, in bytes of JSON. */
export const SEED_SNAPSHOT_BYTES = 1600;

interface SeedSession {
  readonly session_id: string;
  readonly username: string;
  readonly media_type: string;
  readonly title: string;
  readonly poster_url: string | null;
  readonly current_time: number;
  readonly duration: number;
  readonly state: 'playing' | 'paused' | 'stopped' | 'buffering';
  readonly bitrate: number | null;
}

/** The first session of the seed's WebSocket message example. */
export function seedSession(): SeedSession {
  for (const example of extractSeedExamples(readSeed('now-playing'))) {
    const value = example.value as { sessions?: SeedSession[]; timestamp?: number };
    const first = value.sessions?.[0];
    if (first !== undefined && value.timestamp !== undefined) return first;
  }
  throw new Error('seed 000 has no snapshot example with a session');
}

/** The snapshot the server would broadcast now, as the bytes every subscriber gets. */
export async function currentSnapshotBytes(bench: BenchServer): Promise<Buffer> {
  const { server } = bench;
  return Buffer.from(JSON.stringify(server.nowPlaying.snapshot(await server.sampler.latest())));
}

/**
 * Posts the seed's session (and copies with other ids) until the snapshot is within a few bytes
 * of `SEED_SNAPSHOT_BYTES`, the last title padded to land there. Returns the snapshot's bytes.
 */
export async function playSeedSessions(bench: BenchServer, token: string): Promise<Buffer> {
  const seed = seedSession();
  const update = (index: number, title: string) =>
    bench.post('/api/dashboard/session/update', token, {
      session_id: `${seed.session_id}-${index}`,
      title,
      username: seed.username,
      media_type: seed.media_type,
      current_time: seed.current_time,
      duration: seed.duration,
      state: seed.state,
      ...(seed.poster_url === null ? {} : { poster_url: seed.poster_url }),
      ...(seed.bitrate === null ? {} : { bitrate: seed.bitrate }),
    });
  let index = 0;
  let bytes = await currentSnapshotBytes(bench);
  for (;;) {
    await update(index, seed.title);
    const next = await currentSnapshotBytes(bench);
    const perSession = next.length - bytes.length;
    bytes = next;
    if (bytes.length + perSession > SEED_SNAPSHOT_BYTES) break;
    index += 1;
  }
  const missing = SEED_SNAPSHOT_BYTES - bytes.length;
  if (missing > 0) {
    await update(index, `${seed.title} ${'·'.repeat(Math.floor((missing - 1) / 2))}`);
    bytes = await currentSnapshotBytes(bench);
  }
  return bytes;
}
