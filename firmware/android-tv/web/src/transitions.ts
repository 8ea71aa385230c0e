/**
 * How an item comes on screen, from its `effects` (seed 002): `transition` "fade" or "slide"
 * animate its entrance over the item before it, which stays beneath until the entrance ends; a
 * `fade_in` without a transition is a fade. "none" and names this player does not know are a cut
 * (the seed leaves the list open: a player falls back rather than fails).
 */
import type { MediaItem } from './types';

export type Entrance = 'cut' | 'fade' | 'slide';

/** How long an entrance takes; player.css's animations last the same. */
export const ENTRANCE_MS = 500;

export function entranceOf(effects: MediaItem['effects'] | undefined): Entrance {
  const name = effects?.transition.trim().toLowerCase();
  if (name === 'fade' || name === 'slide') return name;
  return effects?.fade_in === true ? 'fade' : 'cut';
}
