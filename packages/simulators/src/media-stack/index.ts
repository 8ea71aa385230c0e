/** The fake media stack (Plex, Overseerr, qBittorrent, Sonarr) and its recorded-shape answers. */
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
