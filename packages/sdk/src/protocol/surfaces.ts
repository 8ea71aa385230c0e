import { defineSurface, type SurfaceDef } from './common';
import { historyRoutes } from './history';
import { mediaRoutes } from './media';
import { playbackChannels, playbackRoutes } from './playback';
import { coreSurface } from './core';
import { mediaStackSurface } from './media-stack';
import { nowPlayingSurface } from './now-playing';
import { monitoringSurface } from './monitoring';
import { signageSurface } from './signage';
import { gpuSurface } from './gpu';

/**
 * Now Playing as documented: the seed's routes plus Marquee's extensions (thumbnails, history,
 * playback control). The extensions live in their own files because they import the surface's
 * error shape, and because the panel's browser bundle must not load them.
 */
const nowPlayingDocumented = defineSurface({
  ...nowPlayingSurface,
  routes: [...nowPlayingSurface.routes, ...mediaRoutes, ...historyRoutes, ...playbackRoutes],
  channels: [...nowPlayingSurface.channels, ...playbackChannels],
});

/** Every surface in seed order; the server mounts them and the docs generator documents them. */
export const surfaces: readonly SurfaceDef[] = [
  coreSurface,
  nowPlayingDocumented,
  mediaStackSurface,
  signageSurface,
  monitoringSurface,
  gpuSurface,
];
