/**
 * Self-healing after repeated playback failures (an item that cannot be loaded, a video that
 * errors or stalls and is skipped): `threshold` failures within `windowMs` ask for a page reload,
 * but never twice within `minReloadGapMs`, so a file that fails on every load cannot put the page
 * in a reload loop. The reloads are remembered in the given Storage (the page's sessionStorage:
 * it survives the reload, not a new WebView), so the gap and the count hold across reloads.
 */
export interface RecoveryOptions {
  /** Failures within the window that ask for a reload. @default 3 */
  readonly threshold?: number;
  /** @default 60000 */
  readonly windowMs?: number;
  /** The shortest time between two reloads. @default 600000 (10 minutes) */
  readonly minReloadGapMs?: number;
}

export const RELOADS_KEY = 'marquee.tv.reloads';

interface Remembered {
  readonly count: number;
  readonly last: number;
}

export class Recovery {
  readonly #storage: Pick<Storage, 'getItem' | 'setItem'>;
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #gapMs: number;
  #failures: number[] = [];

  constructor(storage: Pick<Storage, 'getItem' | 'setItem'>, options: RecoveryOptions = {}) {
    this.#storage = storage;
    this.#threshold = Math.max(1, options.threshold ?? 3);
    this.#windowMs = options.windowMs ?? 60_000;
    this.#gapMs = options.minReloadGapMs ?? 600_000;
  }

  /** Reloads this page made of itself (this session). */
  get reloads(): number {
    return this.#remembered().count;
  }

  /**
   * One failure at `now` (wall-clock ms); true when the page should reload now. A true answer is
   * already remembered as a reload.
   */
  failure(now: number): boolean {
    this.#failures = this.#failures.filter((at) => now - at < this.#windowMs);
    this.#failures.push(now);
    if (this.#failures.length < this.#threshold) return false;
    const remembered = this.#remembered();
    // A clock set back makes `now - last` negative: that counts as long ago.
    const since = now - remembered.last;
    if (remembered.count > 0 && since >= 0 && since < this.#gapMs) return false;
    this.#failures = [];
    this.#storage.setItem(RELOADS_KEY, JSON.stringify({ count: remembered.count + 1, last: now }));
    return true;
  }

  #remembered(): Remembered {
    try {
      const value: unknown = JSON.parse(this.#storage.getItem(RELOADS_KEY) ?? 'null');
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof (value as Remembered).count === 'number' &&
        typeof (value as Remembered).last === 'number'
      ) {
        return value as Remembered;
      }
    } catch {
      // Unreadable: as if there was none.
    }
    return { count: 0, last: 0 };
  }
}
