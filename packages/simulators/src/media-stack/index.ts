/**
 * The fake media stack (Plex with its notification socket, Overseerr, qBittorrent, Sonarr), the
 * fake Jellyfin with its socket, and their recorded-shape answers.
 */
import * as mediaStackFixtures from './fixtures';

export { mediaStackFixtures };
export {
  FAKE_CREDENTIALS,
  startFakeMediaStack,
  type FakeMediaStack,
  type FakeMediaStackOptions,
  type FakeMode,
  type FakeUpstream,
} from './fake-media-stack';
export {
  FAKE_JELLYFIN_API_KEY,
  startFakeJellyfin,
  type FakeJellyfin,
  type FakeJellyfinSession,
  type JellyfinCommand,
} from './fake-jellyfin';
export type { FakePlexPush, PlexCommand } from './fake-plex-push';
export type { PushEndpoint, PushMode } from './push-endpoint';
