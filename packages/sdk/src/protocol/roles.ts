import * as z from 'zod/mini';

/**
 * A user's role: `admin` (everything, users included), `operator` (fleet, media, playlists,
 * commands, playback control, service restarts), `viewer` (reads every dashboard), `device` (a
 * signage TV: its own registration, playlists, media, screenshots and socket only).
 */
export const Role = z.enum(['admin', 'operator', 'viewer', 'device']);
export type Role = z.infer<typeof Role>;
