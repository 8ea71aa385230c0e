import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/core/auth/types';
import { MediaRoots } from '../../src/surfaces/now-playing/media-roots';
import { PosterThumbs, thumbUrl } from '../../src/surfaces/now-playing/poster-thumb';
import { SessionTracker } from '../../src/surfaces/now-playing/sessions';
import { startTestServer, type TestServer } from '../helpers/server';

let work: string;
let first: string;
let second: string;
let outside: string;
let posters: PosterThumbs;

const user: Identity & { kind: 'user' } = {
  kind: 'user',
  userId: 7,
  username: 'viewer',
  role: 'operator',
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'marquee-posters-'));
  first = join(work, 'first');
  second = join(work, 'second');
  outside = join(work, 'outside');
  for (const dir of [join(first, 'movies'), join(second, 'movies', 'Sci Fi'), outside]) {
    mkdirSync(dir, { recursive: true });
  }
  const jpeg = await sharp({
    create: { width: 300, height: 450, channels: 3, background: '#123456' },
  })
    .jpeg()
    .toBuffer();
  writeFileSync(join(second, 'movies', 'Sci Fi', 'Matrix #1.jpg'), jpeg);
  writeFileSync(join(second, 'movies', 'shadowed.jpg'), jpeg);
  writeFileSync(join(first, 'movies', 'shadowed.jpg'), jpeg);
  writeFileSync(join(outside, 'secret.jpg'), jpeg);
  symlinkSync(join(outside, 'secret.jpg'), join(second, 'movies', 'link.jpg'));
  posters = new PosterThumbs(new MediaRoots([first, second]));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('PosterThumbs.thumbFor', () => {
  it('maps an absolute path inside a root to an encoded thumbnail URL', async () => {
    expect(await posters.thumbFor(join(second, 'movies', 'Sci Fi', 'Matrix #1.jpg'))).toBe(
      '/api/media/thumb/movies/Sci%20Fi/Matrix%20%231.jpg?width=150&height=225',
    );
    expect(
      await posters.thumbFor(pathToFileURL(join(second, 'movies', 'Sci Fi', 'Matrix #1.jpg')).href),
    ).toBe('/api/media/thumb/movies/Sci%20Fi/Matrix%20%231.jpg?width=150&height=225');
  });

  it('accepts a relative media path that exists', async () => {
    expect(await posters.thumbFor('movies/Sci Fi/Matrix #1.jpg')).toBe(
      thumbUrl('movies/Sci Fi/Matrix #1.jpg'),
    );
  });

  it.each([
    ['null', () => null],
    ['a web URL', () => 'https://image.tmdb.org/t/p/w500/matrix.jpg'],
    ["the player's poster route", () => '/api/media/poster/matrix.jpg'],
    ['a file outside the roots', () => join(outside, 'secret.jpg')],
    ['a symlink out of the roots', () => join(second, 'movies', 'link.jpg')],
    ['a relative path with ..', () => '../outside/secret.jpg'],
    ['a missing relative path', () => 'movies/none.jpg'],
    ['a path shadowed by an earlier root', () => join(second, 'movies', 'shadowed.jpg')],
  ])('gives null for %s', async (_what, reference) => {
    expect(await posters.thumbFor(reference())).toBeNull();
  });

  it('a thumbnail URL it builds is served by the server', async () => {
    const t: TestServer = await startTestServer({ mediaRoots: [first, second] });
    try {
      const url = await posters.thumbFor(join(second, 'movies', 'Sci Fi', 'Matrix #1.jpg'));
      const res = await fetch(`${t.url}${url ?? ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
    } finally {
      await t.close();
    }
  });
});

describe('PosterThumbs.sync', () => {
  it("sets a tracked session's poster_thumb from its poster_url and reports changes", async () => {
    const tracker = new SessionTracker({
      ttlSeconds: 30,
      maxPerUser: 10,
      maxTotal: 1000,
      now: () => 1_000,
      monotonic: () => 1_000,
    });
    const body = {
      session_id: 's1',
      title: 'The Matrix',
      current_time: 1,
      duration: 100,
      state: 'playing' as const,
      poster_url: join(second, 'movies', 'Sci Fi', 'Matrix #1.jpg'),
    };
    tracker.update(user, body);
    expect(await posters.sync(tracker, 's1')).toBe(true);
    expect(tracker.get('s1')?.session.poster_thumb).toBe(thumbUrl('movies/Sci Fi/Matrix #1.jpg'));
    expect(await posters.sync(tracker, 's1')).toBe(false);

    tracker.update(user, { ...body, poster_url: 'https://example.com/p.jpg' });
    expect(await posters.sync(tracker, 's1')).toBe(true);
    expect(tracker.get('s1')?.session.poster_thumb).toBeNull();
    expect(await posters.sync(tracker, 'unknown')).toBe(false);
  });
});
