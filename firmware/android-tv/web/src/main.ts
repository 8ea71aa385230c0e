/**
 * The page's entry: provisioning (kiosk query, stored credentials, or pairing with a code on
 * screen), then the player. `window.marqueeTv` holds the diagnostics (state, plays, acks,
 * statuses, errors) for support and for the browser tests.
 */
// First, before any schema is built: the page's CSP refuses zod's compiled parsers.
import { deviceTimeZone } from './daypart';
import '../../../../packages/server/web/zod-jitless';
import { pairDevice } from '../../../../packages/sdk/src/clients/signage-device/pairing';
import { detectBridge } from './bridge';
import { openPlayQueue } from './play-queue';
import { APP_VERSION, TvPlayer, type Diagnostics } from './player';
import { readProvisioning, saveProvisioning, type Provisioning } from './provision';
import { Recovery } from './recovery';
import { Renderer } from './renderer';

/**
 * The newest plays `window.marqueeTv` keeps for support and the tests (the server has them all).
 * Bounded small: the soak measures the heap, and a longer log is only memory that grows for the
 * first minutes of every start.
 */
const PLAY_LOG_LIMIT = 100;

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found;
}

const diagnostics: Diagnostics = {
  state: 'starting',
  snNumber: '',
  bridge: 'none',
  brightness: undefined,
  volume: 100,
  plays: [],
  acks: [],
  statuses: [],
  errors: [],
  screenshots: 0,
  playlistId: undefined,
  timeZone: deviceTimeZone(),
  unsentPlays: 0,
  sentPlays: 0,
  playQueue: 'memory',
  offlineStart: 'pending',
  health: undefined,
  playbackErrors: 0,
  selfReloads: 0,
};
Reflect.set(window, 'marqueeTv', diagnostics);

async function provision(): Promise<Provisioning> {
  const read = readProvisioning(location.href, localStorage);
  if (read.cleanedUrl !== undefined) history.replaceState(null, '', read.cleanedUrl);
  if (read.provisioning) return read.provisioning;
  const panel = element('pairing');
  const code = element('pairing-code');
  panel.hidden = false;
  const paired = await pairDevice({
    baseUrl: location.origin,
    request: { hint: `Web player ${APP_VERSION}` },
    onCode: (shown) => {
      code.textContent = shown;
      panel.dataset['code'] = shown;
    },
  });
  panel.hidden = true;
  const provisioning: Provisioning = {
    server: location.origin,
    username: paired.username,
    password: paired.password,
    snNumber: paired.snNumber,
  };
  saveProvisioning(localStorage, provisioning);
  return provisioning;
}

async function main(): Promise<void> {
  const status = element('status');
  const provisioning = await provision();
  const plays = await openPlayQueue(typeof indexedDB === 'undefined' ? undefined : indexedDB);
  const renderer = new Renderer(element('stage'), element('overlay'), {
    url: (item) => player.mediaUrl(item),
    isAvailable: (item) => player.isAvailable(item),
    played: (play) => {
      diagnostics.plays.push(play);
      if (diagnostics.plays.length > PLAY_LOG_LIMIT) diagnostics.plays.shift();
      void player.recordPlay(play);
    },
    error: (message) => player.playbackError(message),
  });
  const player: TvPlayer = new TvPlayer({
    provisioning,
    renderer,
    bridge: detectBridge(window),
    storage: localStorage,
    diagnostics,
    plays,
    recovery: new Recovery(sessionStorage),
    reload: () => location.reload(),
    onState: (state) => {
      document.body.dataset['state'] = state;
      status.textContent = state === 'online' ? '' : state;
    },
  });
  await player.start();
}

/**
 * The service worker keeps the page, script and style sheet so the player starts with its server
 * away (sw.ts). Browsers allow one only on https or localhost; elsewhere the player still runs,
 * it just cannot start without the server.
 */
function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) {
    diagnostics.offlineStart = 'unsupported';
    return;
  }
  navigator.serviceWorker.register('sw.js', { scope: './' }).then(
    () => {
      diagnostics.offlineStart = 'registered';
    },
    (error: unknown) => {
      diagnostics.offlineStart = 'failed';
      diagnostics.errors.push(
        `Service worker: ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  );
}

registerServiceWorker();

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  diagnostics.errors.push(message);
  element('status').textContent = `Cannot start: ${message}`;
});
