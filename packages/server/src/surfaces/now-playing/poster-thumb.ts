/**
 * Fills a Now Playing session's `poster_thumb` (seed 000): when the player's `poster_url` names an
 * image the server can read — an absolute path inside a media root or a path relative to one —
 * the snapshot carries `/api/media/thumb/<relative>?width=150&height=225`, the baseline JPEG an
 * ESP32 panel can decode. Other poster URLs (web URLs, the player's own poster route) leave it
 * null.
 */
import { protocol } from '@marquee/sdk';
import type { MediaRoots } from './media-roots';
import type { SessionTracker } from './sessions';

const { THUMB_DEFAULT_HEIGHT, THUMB_DEFAULT_WIDTH } = protocol.media;

/** The thumbnail URL of a relative media path, each segment URL-encoded. */
export function thumbUrl(
  relativePath: string,
  width: number = THUMB_DEFAULT_WIDTH,
  height: number = THUMB_DEFAULT_HEIGHT,
): string {
  const encoded = relativePath.split('/').map(encodeURIComponent).join('/');
  return `/api/media/thumb/${encoded}?width=${width}&height=${height}`;
}

export class PosterThumbs {
  readonly #roots: MediaRoots;

  constructor(roots: MediaRoots) {
    this.#roots = roots;
  }

  /** The `poster_thumb` for a poster reference, or null when the server cannot thumbnail it. */
  async thumbFor(posterUrl: string | null | undefined): Promise<string | null> {
    if (posterUrl === null || posterUrl === undefined) return null;
    const relativePath = await this.#roots.relativePathOf(posterUrl);
    return relativePath === undefined ? null : thumbUrl(relativePath);
  }

  /**
   * Brings a tracked session's `poster_thumb` in line with its `poster_url`. Returns true when it
   * changed (the caller then broadcasts). A newer update that changed the poster meanwhile wins.
   */
  async sync(
    tracker: Pick<SessionTracker, 'get' | 'setThumb'>,
    sessionId: string,
  ): Promise<boolean> {
    const before = tracker.get(sessionId)?.session;
    if (!before) return false;
    const thumb = await this.thumbFor(before.poster_url);
    const now = tracker.get(sessionId)?.session;
    if (!now || now.poster_url !== before.poster_url || now.poster_thumb === thumb) return false;
    tracker.setThumb(sessionId, thumb);
    return true;
  }
}
