/**
 * Serves the kiosk dashboard: `/` and `/dashboard_test.html` (seed 000's name) plus its assets,
 * the GPU host page at `/gpu`, the monitoring page at `/monitor`, the media-stack page at
 * `/media-stack`, and the TV web player at `/tv/` (built from firmware/android-tv/web
 * into tv/ by `npm run build`), and the operator console at `/console/` (packages/console, built by
 * Vite into console/: one page and its hashed chunks under /console/assets/).
 * The page's script is the SDK's browser client bundled by the package build into
 * public/dashboard.js; HTML and CSS ship as written in web/ (web/base.css is the styles both
 * pages share, each page's own sheet comes after it).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The package root, found from this file whether it runs from src/ or from dist/. */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith('src') || here.endsWith('dist') ? dirname(here) : here;
}

/** A Host header fit to appear in a header value: a name or address and an optional port. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The pages' policy. `connect-src 'self'` covers same-origin fetches; the page's WebSocket is
 * named explicitly as ws:// and wss:// on the same host, since browsers before CSP 3 do not let
 * `'self'` match a ws: URL.
 */
export function pageCsp(
  host: string | undefined,
  options: { blobMedia?: boolean; blobImages?: boolean } = {},
): string {
  const sockets = host !== undefined && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  // The TV player shows media from its Cache API store as blob: URLs; the kiosk page shows
  // posters it fetched with its display token as blob: URLs.
  const blob = options.blobMedia === true || options.blobImages === true ? ' blob:' : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${blob}`,
    ...(options.blobMedia === true ? ["media-src 'self' blob:"] : []),
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Asset {
  readonly file: string;
  readonly type: string;
  /** The page plays blob: media (the TV player). */
  readonly blobMedia?: boolean;
  /** The page shows blob: images (the kiosk page's posters fetched with its token). */
  readonly blobImages?: boolean;
}

/** A console chunk's name as Vite writes it: a plain file name, no folder. */
const CONSOLE_ASSET = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(js|css)$/;

/**
 * The operator console: its page, and the chunks Vite named after their content hash, so these
 * are served by name from console/assets (names checked, no path reaches outside it) and may be
 * cached for good; the page itself is `no-cache` so a new build is seen at once.
 */
function mountConsole(
  app: FastifyInstance,
  root: string,
  send: (request: FastifyRequest, reply: FastifyReply, asset: Asset) => Promise<FastifyReply>,
): void {
  const page: Asset = {
    file: join(root, 'console', 'index.html'),
    type: 'text/html; charset=utf-8',
  };
  app.get('/console/', (request, reply) => send(request, reply, page));
  app.get('/console', (_request, reply) => reply.redirect('/console/', 301));
  app.get<{ Params: { file: string } }>('/console/assets/:file', async (request, reply) => {
    const match = CONSOLE_ASSET.exec(request.params.file);
    if (!match) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    const file = join(root, 'console', 'assets', request.params.file);
    const type = match[1] === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8';
    try {
      const body = await readFile(file);
      return await reply
        .type(type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    } catch {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    }
  });
}

export function mountPages(app: FastifyInstance): void {
  const root = packageRoot();
  const assets: Record<string, Asset> = {
    '/': {
      file: join(root, 'web', 'dashboard.html'),
      type: 'text/html; charset=utf-8',
      blobImages: true,
    },
    '/dashboard_test.html': {
      file: join(root, 'web', 'dashboard.html'),
      type: 'text/html; charset=utf-8',
      blobImages: true,
    },
    // The styles every page shares, linked before the page's own sheet.
    '/assets/base.css': { file: join(root, 'web', 'base.css'), type: 'text/css; charset=utf-8' },
    '/assets/dashboard.css': {
      file: join(root, 'web', 'dashboard.css'),
      type: 'text/css; charset=utf-8',
    },
    '/assets/dashboard.js': {
      file: join(root, 'public', 'dashboard.js'),
      type: 'text/javascript; charset=utf-8',
    },
    // The GPU host page (seed 004): VRAM per GPU, loaded models, downloads.
    '/gpu': { file: join(root, 'web', 'gpu.html'), type: 'text/html; charset=utf-8' },
    '/assets/gpu.css': { file: join(root, 'web', 'gpu.css'), type: 'text/css; charset=utf-8' },
    '/assets/gpu.js': {
      file: join(root, 'public', 'gpu.js'),
      type: 'text/javascript; charset=utf-8',
    },
    // The monitoring page (seed 003): figures, history charts, alerts, services. Not under
    // /monitoring, the surface's WebSocket path and error-shape prefix.
    '/monitor': { file: join(root, 'web', 'monitor.html'), type: 'text/html; charset=utf-8' },
    '/assets/monitor.css': {
      file: join(root, 'web', 'monitor.css'),
      type: 'text/css; charset=utf-8',
    },
    '/assets/monitor.js': {
      file: join(root, 'public', 'monitor.js'),
      type: 'text/javascript; charset=utf-8',
    },
    // The media-stack page (seed 001): services, downloads, requests, notifications. Not under
    // /api/v1/dashboard (the surface's routes) nor /ws/dashboard (its socket).
    '/media-stack': {
      file: join(root, 'web', 'media-stack.html'),
      type: 'text/html; charset=utf-8',
    },
    '/assets/media-stack.css': {
      file: join(root, 'web', 'media-stack.css'),
      type: 'text/css; charset=utf-8',
    },
    '/assets/media-stack.js': {
      file: join(root, 'public', 'media-stack.js'),
      type: 'text/javascript; charset=utf-8',
    },
    // The TV web player (firmware/android-tv/web): a screen that plays playlists.
    '/tv/': {
      file: join(root, 'tv', 'index.html'),
      type: 'text/html; charset=utf-8',
      blobMedia: true,
    },
    '/tv/player.css': { file: join(root, 'tv', 'player.css'), type: 'text/css; charset=utf-8' },
    '/tv/player.js': {
      file: join(root, 'tv', 'player.js'),
      type: 'text/javascript; charset=utf-8',
    },
    // Its service worker (scope /tv/, the folder it is served from): the page starts offline.
    '/tv/sw.js': {
      file: join(root, 'tv', 'sw.js'),
      type: 'text/javascript; charset=utf-8',
    },
  };
  const cache = new Map<string, Buffer>();
  const send = async (
    request: FastifyRequest,
    reply: FastifyReply,
    asset: Asset,
  ): Promise<FastifyReply> => {
    let body = cache.get(asset.file);
    if (!body) {
      try {
        body = await readFile(asset.file);
      } catch {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`Dashboard asset missing: ${asset.file}. Run "npm run build" first.`);
      }
      cache.set(asset.file, body);
    }
    if (asset.type.startsWith('text/html')) {
      void reply
        .header(
          'content-security-policy',
          pageCsp(request.headers.host, {
            blobMedia: asset.blobMedia === true,
            blobImages: asset.blobImages === true,
          }),
        )
        .header('referrer-policy', 'no-referrer');
    }
    return reply
      .type(asset.type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
  for (const [url, asset] of Object.entries(assets)) {
    app.get(url, (request, reply) => send(request, reply, asset));
  }
  // The player's address without its slash: its relative asset URLs need the slash.
  app.get('/tv', (_request, reply) => reply.redirect('/tv/', 301));
  mountConsole(app, root, (request, reply, asset) => send(request, reply, asset));
  // Browsers ask for it on every kiosk page load; an empty answer keeps the logs quiet.
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
}
