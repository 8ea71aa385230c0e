/**
 * The player's service worker (scope `/tv/`): lets a TV start with its server away. It keeps the
 * app shell (`shell.ts`) and answers it network first: while the server answers, the page is
 * always the server's current one (and the copy is refreshed); when the server cannot be reached
 * the kept copy starts the player, which then plays its last playlists from its own media cache
 * and reconnects by itself. Every other request (API, media, socket) passes through untouched.
 */
import { SHELL_CACHE, SHELL_FILES, shellEntry } from './shell';

// The worker's global scope, declared here rather than by the WebWorker lib (which cannot be
// combined with the DOM lib the rest of the player is checked against).
interface ExtendableEventLike extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(
    type: 'install' | 'activate',
    listener: (event: ExtendableEventLike) => void,
  ): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
}

const worker = self as unknown as WorkerScope;

function scoped(file: string): string {
  return new URL(file, worker.registration.scope).href;
}

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(SHELL_FILES.map(scoped));
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('marquee-tv-shell-') && name !== SHELL_CACHE) await caches.delete(name);
      }
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const entry = shellEntry(event.request.method, event.request.url, worker.registration.scope);
  if (entry === undefined) return;
  event.respondWith(
    (async () => {
      const key = scoped(entry);
      const cache = await caches.open(SHELL_CACHE);
      try {
        const response = await fetch(event.request);
        if (response.ok) await cache.put(key, response.clone());
        return response;
      } catch (error) {
        const kept = await cache.match(key);
        if (kept) return kept;
        throw error;
      }
    })(),
  );
});
