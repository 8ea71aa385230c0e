/**
 * What an anonymous caller can make the thumbnail route do, bounded: any number of distinct sizes
 * renders only the documented ones; the disk cache stays under MARQUEE_THUMB_CACHE_BYTES; at most
 * MARQUEE_THUMB_MAX_RENDERS render at once and MARQUEE_THUMB_MAX_QUEUE wait, the rest are told
 * 503 + Retry-After (a slow renderer is injected so the queue can be watched filling up).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import Fastify from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { loadConfig } from '../../src/core/config';
import { mountThumbnails } from '../../src/surfaces/now-playing/thumbnails';
import type { ThumbBox } from '../../src/surfaces/now-playing/thumb-render';
import { startTestServer } from '../helpers/server';

const { media } = protocol;

let work: string;
let root: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'marquee-thumb-bounds-'));
  root = join(work, 'media');
  mkdirSync(root);
  for (const [name, color] of [
    ['a.png', '#ff0000'],
    ['b.png', '#00ff00'],
    ['c.png', '#0000ff'],
    ['d.png', '#ffff00'],
    ['e.png', '#00ffff'],
  ] as const) {
    writeFileSync(
      join(root, name),
      await sharp({ create: { width: 1200, height: 1800, channels: 3, background: color } })
        .png()
        .toBuffer(),
    );
  }
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const cacheFiles = (dataDir: string) => {
  const dir = join(dataDir, 'cache', 'thumbs');
  return readdirSync(dir).map((name) => ({ name, size: statSync(join(dir, name)).size }));
};

describe('thumbnail sizes', () => {
  it('renders only documented sizes, however many distinct sizes are asked for', async () => {
    const t = await startTestServer({ mediaRoots: [root] });
    try {
      const documented = new Set(media.THUMB_SIZES.map((s) => `${s.width}x${s.height}`));
      const fitted = new Set<string>();
      const etags = new Map<string, string>();
      for (let i = 0; i < 60; i++) {
        const width = 16 + ((i * 337) % 2033);
        const height = 16 + ((i * 211) % 2033);
        const res = await fetch(`${t.url}/api/media/thumb/a.png?width=${width}&height=${height}`);
        expect(res.status).toBe(200);
        const box = media.snapThumbSize(width, height);
        const { width: w, height: h } = await sharp(
          Buffer.from(await res.arrayBuffer()),
        ).metadata();
        // A 2:3 source fills a 2:3 box and is fitted by its width in a square one.
        expect(documented.has(`${box.width}x${box.height}`)).toBe(true);
        expect(w).toBe(Math.min(box.width, Math.round((box.height * 2) / 3)));
        fitted.add(`${box.width}x${box.height}`);
        const etag = res.headers.get('etag') ?? '';
        expect(etags.get(`${box.width}x${box.height}`) ?? etag).toBe(etag);
        etags.set(`${box.width}x${box.height}`, etag);
        expect(h).toBeGreaterThan(0);
      }
      expect(fitted.size).toBeGreaterThan(2);
      await vi.waitFor(() => expect(cacheFiles(t.dataDir)).toHaveLength(fitted.size));
      expect(cacheFiles(t.dataDir).length).toBeLessThanOrEqual(media.THUMB_SIZES.length);
    } finally {
      await t.close();
    }
  });

  it('keeps the disk cache within MARQUEE_THUMB_CACHE_BYTES', async () => {
    const bound = 12_000;
    const t = await startTestServer({ mediaRoots: [root], thumbCacheBytes: bound });
    try {
      let last = '';
      for (const name of ['a.png', 'b.png', 'c.png', 'd.png', 'e.png']) {
        for (const size of media.THUMB_SIZES) {
          const res = await fetch(
            `${t.url}/api/media/thumb/${name}?width=${size.width}&height=${size.height}`,
          );
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          last = (res.headers.get('etag') ?? '').slice(1, -1);
          const files = cacheFiles(t.dataDir);
          expect(files.reduce((sum, f) => sum + f.size, 0)).toBeLessThanOrEqual(bound);
          expect(t.server.thumbnails.cache.bytes).toBeLessThanOrEqual(bound);
        }
      }
      // Full, evicting, and still working: the newest thumbnail is a hit.
      const cache = t.server.thumbnails.cache;
      expect(cache.size).toBeLessThan(5 * media.THUMB_SIZES.length);
      await vi.waitFor(() =>
        expect(cacheFiles(t.dataDir).map((f) => f.name)).toContain(`${last}.jpg`),
      );
      const again = await fetch(`${t.url}/api/media/thumb/e.png?width=512&height=512`);
      expect(again.headers.get('x-cache')).toBe('HIT');
    } finally {
      await t.close();
    }
  });
});

describe('thumbnail renders', () => {
  it('runs at most MARQUEE_THUMB_MAX_RENDERS at once, queues MARQUEE_THUMB_MAX_QUEUE, answers 503 beyond', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-thumb-renders-'));
    const config = loadConfig({
      env: {},
      overrides: { dataDir, mediaRoots: [root], thumbMaxRenders: 2, thumbMaxQueue: 1 },
    });
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    // A renderer that holds every render until the test lets it go.
    const render = async (_source: Buffer, box: ThumbBox) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      return sharp({
        create: { width: box.width, height: box.height, channels: 3, background: '#000' },
      })
        .jpeg()
        .toBuffer();
    };
    const app = Fastify();
    const thumbs = mountThumbnails(app, {
      config,
      authenticate: () => Promise.resolve(undefined),
      validateResponses: true,
      render,
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const names = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'];
      const accepted = names.slice(0, 3).map((name) => fetch(`${url}/api/media/thumb/${name}`));
      await vi.waitFor(() => {
        expect(thumbs.renders.active).toBe(2);
        expect(thumbs.renders.waiting).toBe(1);
      });
      for (const name of names.slice(3)) {
        const busy = await fetch(`${url}/api/media/thumb/${name}`);
        expect(busy.status).toBe(503);
        expect(busy.headers.get('retry-after')).toBe('1');
        const body = z.parse(protocol.nowPlaying.nowPlayingErrorShape.schema, await busy.json());
        expect(body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      }
      // Another request for a thumbnail in progress shares its render: no slot, no queue place.
      const joined = fetch(`${url}/api/media/thumb/a.png`);
      for (let released = 0; released < 3; released++) {
        await vi.waitFor(() => expect(gates.length).toBeGreaterThan(0));
        gates.shift()?.();
      }
      const answers = await Promise.all([...accepted, joined]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(peak).toBe(2);
      expect(thumbs.renders.active).toBe(0);
      // Free again: the refused ones render now.
      const later = fetch(`${url}/api/media/thumb/d.png`);
      await vi.waitFor(() => expect(gates.length).toBe(1));
      gates.shift()?.();
      expect((await later).status).toBe(200);
    } finally {
      for (const open of gates) open();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
