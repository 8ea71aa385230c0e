/**
 * How the page learns its server and account, as pure functions over a URL and a storage:
 *
 * - Kiosk query `?server=&username=&password=&sn_number=`: all four (server optional, default
 *   the page's origin) are stored, and the page then replaces its URL with one without them, so
 *   the password is never shown again (nor kept in history). An optional `screenshot_every`
 *   (seconds, MIN_SCREENSHOT_EVERY_S to MAX_SCREENSHOT_EVERY_S; anything else is ignored) is
 *   stored with them: the player then uploads a screenshot that often.
 * - Stored credentials from an earlier kiosk start or pairing.
 * - Neither: the page pairs (shows a code) and stores what the approval returns.
 */

/** What the player signs in with. */
export interface Provisioning {
  /** The server's origin (and prefix), e.g. `http://marquee:8000`. */
  readonly server: string;
  readonly username: string;
  readonly password: string;
  readonly snNumber: string;
  /** Upload a screenshot this often (seconds); absent: only on `take_screenshot`. */
  readonly screenshotEverySeconds?: number;
}

export const MIN_SCREENSHOT_EVERY_S = 5;
export const MAX_SCREENSHOT_EVERY_S = 86_400;

/** `screenshot_every` as whole seconds within the bounds; undefined when absent or out of them. */
function screenshotEvery(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' &&
    Number.isInteger(seconds) &&
    seconds >= MIN_SCREENSHOT_EVERY_S &&
    seconds <= MAX_SCREENSHOT_EVERY_S
    ? seconds
    : undefined;
}

/** The part of `Storage` used. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const STORAGE_KEY = 'marquee.tv.provisioning';
const PARAMS = ['server', 'username', 'password', 'sn_number', 'screenshot_every'] as const;

export interface ProvisioningRead {
  /** Undefined: nothing stored or given; the page pairs. */
  readonly provisioning: Provisioning | undefined;
  /** The URL to show instead, when the query carried credentials (they are then stored). */
  readonly cleanedUrl: string | undefined;
}

function normalizeServer(server: string, origin: string): string | undefined {
  try {
    const url = new URL(server, origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

function parseStored(text: string | null): Provisioning | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { server, username, password, snNumber, screenshotEverySeconds } = value as Record<
      string,
      unknown
    >;
    if (
      typeof server === 'string' &&
      typeof username === 'string' &&
      typeof password === 'string' &&
      typeof snNumber === 'string' &&
      username !== '' &&
      snNumber !== ''
    ) {
      const every = screenshotEvery(screenshotEverySeconds);
      return {
        server,
        username,
        password,
        snNumber,
        ...(every === undefined ? {} : { screenshotEverySeconds: every }),
      };
    }
  } catch {
    // Unreadable: pair again.
  }
  return undefined;
}

export function readProvisioning(href: string, store: KeyValueStore): ProvisioningRead {
  const url = new URL(href);
  const query = url.searchParams;
  const given = PARAMS.some((name) => query.has(name));
  if (given) {
    for (const name of PARAMS) query.delete(name);
    const cleanedUrl = url.toString();
    const original = new URL(href).searchParams;
    const server = normalizeServer(original.get('server') ?? url.origin, url.origin);
    const username = original.get('username') ?? '';
    const password = original.get('password') ?? '';
    const snNumber = original.get('sn_number') ?? '';
    const every = screenshotEvery(original.get('screenshot_every') ?? undefined);
    if (server !== undefined && username !== '' && snNumber !== '') {
      const provisioning: Provisioning = {
        server,
        username,
        password,
        snNumber,
        ...(every === undefined ? {} : { screenshotEverySeconds: every }),
      };
      saveProvisioning(store, provisioning);
      return { provisioning, cleanedUrl };
    }
    // Incomplete: the secrets still leave the address bar; what was stored before stays.
    return { provisioning: parseStored(store.getItem(STORAGE_KEY)), cleanedUrl };
  }
  return { provisioning: parseStored(store.getItem(STORAGE_KEY)), cleanedUrl: undefined };
}

export function saveProvisioning(store: KeyValueStore, provisioning: Provisioning): void {
  store.setItem(STORAGE_KEY, JSON.stringify(provisioning));
}

/** Forgets the credentials (the server refused them for good); the page pairs again. */
export function forgetProvisioning(store: KeyValueStore): void {
  store.removeItem(STORAGE_KEY);
}
