/**
 * The web player's soak: the built page (`npm run build`) in Debian's Chromium on real time against
 * a real server, looping a playlist of three generated images and a canvas-recorded WebM clip, and
 * sampled every `sampleEveryMs` through the DevTools protocol: the JS heap after a forced garbage
 * collection, the DOM nodes alive (detached ones included, so a leaked element counts), the
 * longest gap between animation frames, and the plays made. At the end the player is paused, its
 * plays drained, and the server's plays checked: in the playlist's order, back to back (the gap
 * between one play's end and the next one's start), none overlapping (nothing counted twice).
 *
 * Used by the 3-minute CI test (soak-browser.test.ts) and `npm run soak:tv` (30 minutes or more,
 * the figures printed for docs/benchmarks.md). Nothing here imports vitest.
 */
import { createSignageAdminClient, type protocol, type SignageAdminClient } from '@marquee/sdk';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { assignPlaylist } from '../../../../../packages/simulators/src/index';
import { screenshotPng } from '../../../../../packages/simulators/src/tv/screenshot';
import {
  startMarquee,
  type TestMarquee,
} from '../../../../../packages/simulators/test/helpers/marquee-server';
import { registerTv } from '../../../../../packages/simulators/test/helpers/signage';
import type { Diagnostics } from '../../src/player';

export const CHROMIUM = '/usr/bin/chromium';
const DEVICE = { username: 'soak-tv', password: 'soak-tv-password-1' } as const;
const SN = 'SOAK-TV-1';

export interface SoakOptions {
  readonly durationMs: number;
  readonly sampleEveryMs: number;
  /** Samples before this are warm-up (the cache filling, the first cycles), not the baseline. */
  readonly warmUpMs: number;
  /** Each sample as it is taken. */
  readonly onSample?: (sample: SoakSample) => void;
}

export interface SoakSample {
  /** Since the first play. */
  readonly atMs: number;
  readonly heapBytes: number;
  /**
   * The fewest DOM nodes alive (detached ones included) over one playlist cycle after a forced
   * collection: a video on screen adds its controls' shadow nodes for a while, a leak stays.
   */
  readonly domNodes: number;
  /** The most over the same cycle (a video's shadow nodes included). */
  readonly domNodesMax: number;
  /** Elements in the document (the rest of `domNodes` are text nodes and detached ones). */
  readonly elements: number;
  readonly listeners: number;
  /** `window.marqueeTv` (the diagnostics: bounded logs of plays, acks, statuses, errors) as JSON. */
  readonly diagnosticsBytes: number;
  /** The longest gap between two animation frames since the last sample (GC pauses excluded). */
  readonly maxFrameGapMs: number;
  readonly framesOver250: number;
  readonly plays: number;
}

export interface SoakReport {
  readonly chromium: string;
  readonly durationMs: number;
  readonly samples: readonly SoakSample[];
  /** Mean of the last three samples over the mean of the first three after warm-up, minus 1. */
  readonly heapGrowth: number;
  readonly domGrowth: number;
  readonly maxFrameGapMs: number;
  readonly framesOver250: number;
  /** The longest gap between one play's end and the next one's start, at the server. */
  readonly maxItemGapMs: number;
  /** Plays at the server whose start lies before the previous play's end (counted twice). */
  readonly overlaps: number;
  /** Plays at the server out of the playlist's order (one lost, or one extra). */
  readonly outOfOrder: number;
  readonly playsAtServer: number;
  /** What the elapsed time holds at the playlist's durations. */
  readonly playsExpected: number;
  /**
   * How far `playsAtServer` may be from `playsExpected`: each item runs a few ms past its
   * duration (timers, decoding), so a long run drifts by a play per few hundred; a lost play shows
   * in `outOfOrder` and `maxItemGapMs` instead.
   */
  readonly playsTolerance: number;
  readonly unsentAtEnd: number;
  readonly pageErrors: readonly string[];
}

/** The playlist: media order and durations in seconds (a cycle of 6 s, 5 plays). */
const ITEMS = [
  { key: 'a', seconds: 1, times: 1 },
  { key: 'clip', seconds: 2, times: 1 },
  { key: 'b', seconds: 1, times: 2 },
  { key: 'c', seconds: 1, times: 1 },
] as const;

/**
 * tsx (esbuild's keepNames) wraps named functions in `__name(...)`; the functions this module
 * passes to the page carry that call, so the page gets a `__name` that leaves them as they are.
 */
const KEEP_NAMES = 'globalThis.__name = (fn) => fn;';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 2 s VP8 WebM drawn on a canvas in the browser. */
export async function recordClip(browser: Browser): Promise<Uint8Array> {
  const page = await browser.newPage();
  await page.addInitScript({ content: KEEP_NAMES });
  await page.goto('about:blank');
  try {
    const bytes = await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2d canvas');
      const recorder = new MediaRecorder(canvas.captureStream(25), {
        mimeType: 'video/webm;codecs=vp8',
      });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start(100);
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const draw = () => {
          const t = performance.now() - started;
          ctx.fillStyle = `hsl(${Math.round(t / 8) % 360} 70% 45%)`;
          ctx.fillRect(0, 0, 320, 180);
          if (t < 2000) requestAnimationFrame(draw);
          else resolve();
        };
        draw();
      });
      recorder.stop();
      await stopped;
      return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
    });
    return new Uint8Array(bytes);
  } finally {
    await page.close();
  }
}

async function setUp(marquee: TestMarquee, admin: SignageAdminClient, browser: Browser) {
  await marquee.server.auth.createUser({ ...DEVICE, role: 'device' });
  const ids: Record<string, number> = {};
  for (const [index, key] of ['a', 'b', 'c'].entries()) {
    const image = await admin.uploadMedia(screenshotPng(20 + index * 80, 640, 360), {
      fileName: `${key}.png`,
      contentType: 'image/png',
    });
    ids[key] = image.media_id;
  }
  const clip = await admin.uploadMedia(await recordClip(browser), {
    fileName: 'clip.webm',
    contentType: 'video/webm',
  });
  ids.clip = clip.media_id;
  const playlist = await admin.createPlaylist({
    name: 'Soak',
    width: 1920,
    height: 1080,
    media_items: ITEMS.map((item) => ({
      media_id: ids[item.key] ?? 0,
      timing: { start_time: 0, duration: item.seconds, loop: false },
      n_time_play: item.times,
    })),
  });
  await registerTv(marquee, SN);
  await assignPlaylist(admin, SN, playlist.id);
  // The media ids one cycle shows, in order.
  const cycle = ITEMS.flatMap((item) => Array<number>(item.times).fill(ids[item.key] ?? 0));
  const cycleMs = ITEMS.reduce((sum, item) => sum + item.seconds * item.times * 1000, 0);
  return { cycle, cycleMs };
}

/** In the page: the longest frame interval since the last read; a read restarts the count. */
async function watchFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const state = { last: -1, max: 0, over: 0 };
    Reflect.set(window, '__frames', state);
    const tick = (now: number) => {
      if (state.last >= 0) {
        const gap = now - state.last;
        if (gap > state.max) state.max = gap;
        if (gap > 250) state.over++;
      }
      state.last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function readFrames(page: Page): Promise<{ max: number; over: number }> {
  return page.evaluate(() => {
    const state = Reflect.get(window, '__frames') as { last: number; max: number; over: number };
    const read = { max: state.max, over: state.over };
    // The next frame starts a new count: the collection the sampler forces is not a frame gap.
    Object.assign(state, { last: -1, max: 0, over: 0 });
    return read;
  });
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/**
 * The fewest and most DOM nodes over `ms`, each read after a collection every 500 ms (so a
 * removed video's shadow nodes are not counted while they wait for the collector).
 */
async function nodesOver(cdp: CDPSession, ms: number): Promise<{ min: number; max: number }> {
  let min = Infinity;
  let max = 0;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(500)) {
    const nodes = (await metrics(cdp)).Nodes ?? 0;
    min = Math.min(min, nodes);
    max = Math.max(max, nodes);
  }
  return { min, max };
}

const diagOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv);

async function serverPlays(admin: SignageAdminClient): Promise<protocol.signage.PlayView[]> {
  const all: protocol.signage.PlayView[] = [];
  for (;;) {
    const page = await admin.listPlays({ sn_number: SN, limit: 1000, offset: all.length });
    all.push(...page.results);
    if (page.results.length === 0 || all.length >= page.count) return all;
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const marquee = await startMarquee();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    const { cycle, cycleMs } = await setUp(marquee, admin, browser);
    const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
    await page.addInitScript({ content: KEEP_NAMES });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const query = new URLSearchParams({ ...DEVICE, sn_number: SN });
    await page.goto(`${marquee.url}/tv/?${query.toString()}`);
    for (let waited = 0; (await diagOf(page)).plays.length === 0; waited += 100) {
      if (waited > 30_000) throw new Error('the player made no play in 30 s');
      await sleep(100);
    }
    await watchFrames(page);
    const started = Date.now();
    const samples: SoakSample[] = [];
    for (let next = options.sampleEveryMs; next <= options.durationMs;) {
      await sleep(Math.max(0, started + next - Date.now()));
      const frames = await readFrames(page);
      const m = await metrics(cdp);
      const diag = await diagOf(page);
      const nodes = await nodesOver(cdp, cycleMs);
      // What the frames measured during the forced collections is the sampler's, not the
      // player's: frame gaps are measured between the scans.
      await readFrames(page);
      const sample: SoakSample = {
        atMs: Date.now() - started,
        heapBytes: m.JSHeapUsedSize ?? 0,
        domNodes: nodes.min,
        domNodesMax: nodes.max,
        elements: await page.evaluate(() => document.getElementsByTagName('*').length),
        listeners: m.JSEventListeners ?? 0,
        diagnosticsBytes: await page.evaluate(
          () => JSON.stringify(Reflect.get(window, 'marqueeTv')).length,
        ),
        maxFrameGapMs: Math.round(frames.max),
        framesOver250: frames.over,
        plays: diag.sentPlays + diag.unsentPlays,
      };
      samples.push(sample);
      options.onSample?.(sample);
      next += options.sampleEveryMs;
    }
    const durationMs = Date.now() - started;

    // Pause, let the player send what it holds, and account for every play at the server.
    const { commands } = await admin.sendCommand(SN, { action: 'pause' });
    const pauseId = commands[0]?.command_id ?? '';
    for (let waited = 0; ; waited += 200) {
      const diag = await diagOf(page);
      const paused = (await admin.getCommand(pauseId)).state === 'acked';
      if (paused && diag.unsentPlays === 0) break;
      if (waited > 60_000) break;
      await sleep(200);
    }
    const unsentAtEnd = (await diagOf(page)).unsentPlays;
    const plays = await serverPlays(admin);
    let maxItemGapMs = 0;
    let overlaps = 0;
    let outOfOrder = 0;
    const offset = cycle.indexOf(plays[0]?.media_id ?? -1);
    plays.forEach((play, i) => {
      if (play.media_id !== cycle[(offset + i) % cycle.length]) outOfOrder++;
      const before = plays[i - 1];
      if (before === undefined) return;
      const gap = Date.parse(play.started_at) - Date.parse(before.ended_at);
      if (gap < -50) overlaps++;
      maxItemGapMs = Math.max(maxItemGapMs, gap);
    });
    const first = Date.parse(plays[0]?.started_at ?? '');
    const last = Date.parse(plays.at(-1)?.ended_at ?? '');
    const playsExpected = Math.round(((last - first) / cycleMs) * cycle.length);

    const steady = samples.filter((s) => s.atMs >= options.warmUpMs);
    const growth = (pick: (s: SoakSample) => number) =>
      mean(steady.slice(-3).map(pick)) / mean(steady.slice(0, 3).map(pick)) - 1;
    return {
      chromium: browser.version(),
      durationMs,
      samples,
      heapGrowth: growth((s) => s.heapBytes),
      domGrowth: growth((s) => s.domNodes),
      maxFrameGapMs: Math.max(0, ...samples.map((s) => s.maxFrameGapMs)),
      framesOver250: samples.reduce((sum, s) => sum + s.framesOver250, 0),
      maxItemGapMs,
      overlaps,
      outOfOrder,
      playsAtServer: plays.length,
      playsExpected,
      playsTolerance: Math.max(2, Math.ceil(playsExpected * 0.005)),
      unsentAtEnd,
      pageErrors,
    };
  } finally {
    await browser.close();
    await marquee.close();
  }
}

/** The report as the lines `npm run soak:tv` prints (and docs/benchmarks.md quotes). */
export function describeSoak(report: SoakReport): string[] {
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;
  const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
  const steadyFirst = report.samples[0];
  const steadyLast = report.samples.at(-1);
  return [
    `Chromium ${report.chromium}, ${(report.durationMs / 60_000).toFixed(1)} min, ${report.samples.length} samples`,
    `JS heap after GC: ${mb(steadyFirst?.heapBytes ?? 0)} → ${mb(steadyLast?.heapBytes ?? 0)} (growth after warm-up ${pct(report.heapGrowth)})`,
    `DOM nodes: ${steadyFirst?.domNodes ?? 0} → ${steadyLast?.domNodes ?? 0} (growth ${pct(report.domGrowth)})`,
    `frames: longest gap ${report.maxFrameGapMs} ms, ${report.framesOver250} gaps over 250 ms`,
    `plays at the server: ${report.playsAtServer} (expected ${report.playsExpected}), longest gap between items ${report.maxItemGapMs} ms, ${report.overlaps} overlapping, ${report.outOfOrder} out of order, ${report.unsentAtEnd} unsent`,
    `page errors: ${report.pageErrors.length}`,
  ];
}
