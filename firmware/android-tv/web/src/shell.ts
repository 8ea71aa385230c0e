/**
 * The app shell the service worker keeps (`sw.ts`): the page, its script and its style sheet,
 * nothing else. Media, the API and the control socket never go through the worker: media are
 * already in the player's own Cache API store (verified by MD5), and an API answer from a cache
 * would hide that the server is away.
 */

/** The shell's files, relative to the worker's scope (`/tv/`). */
export const SHELL_FILES = ['./', 'player.js', 'player.css'] as const;

/** The cache the worker keeps the shell in; a new name drops the old copies on activation. */
export const SHELL_CACHE = 'marquee-tv-shell-v1';

/**
 * The shell file `url` stands for under `scope`, or undefined when the worker must leave the
 * request alone. The page itself is asked for with or without `index.html` and with a query (the
 * kiosk's `?server=&username=...`, which the page then removes), so it maps to `./`.
 */
export function shellEntry(method: string, url: string, scope: string): string | undefined {
  if (method !== 'GET') return undefined;
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(scope);
  } catch {
    return undefined;
  }
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) return undefined;
  const rest = target.pathname.slice(base.pathname.length);
  if (rest === '' || rest === 'index.html') return './';
  if (rest === 'player.js' || rest === 'player.css') return rest;
  return undefined;
}
