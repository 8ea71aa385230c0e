/**
 * The player's proof-of-play queue in IndexedDB: plays survive a reload, a crash and a power cut
 * until the server has them. Records are kept in arrival order (an auto-increment key) with a
 * unique index on the play's id; the queue holds at most `max` plays, dropping the oldest (a TV
 * offline for months keeps its most recent plays rather than filling the disk).
 *
 * When IndexedDB cannot be opened (a private window, a WebView with it disabled) the queue keeps
 * the plays in memory instead and says so (`persistent: false`).
 */
import {
  MemoryPlayQueue,
  type PlayQueue,
} from '../../../../packages/sdk/src/clients/signage-device/proof-of-play';
import type { PlayRecord } from '../../../../packages/sdk/src/protocol/signage/proof-of-play';
import type { Play } from './renderer';

const DB_NAME = 'marquee-tv';
const STORE = 'plays';
const BY_ID = 'by_id';

/** The record the server receives for a play the renderer logged. */
export function playRecord(play: Play): PlayRecord {
  const start = Math.round(play.start);
  return {
    id: play.id,
    media_id: play.mediaId,
    playlist_id: play.playlistId,
    zone: play.zone.slice(0, 64) || 'main',
    started_at: new Date(start).toISOString(),
    ended_at: new Date(Math.max(start, Math.round(play.end))).toISOString(),
    duration_ms: Math.max(0, Math.round(play.durationMs)),
    completed: play.completed,
  };
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function openDb(factory: IDBFactory): Promise<IDBDatabase> {
  const request = factory.open(DB_NAME, 1);
  request.onupgradeneeded = () => {
    const store = request.result.createObjectStore(STORE, { autoIncrement: true });
    store.createIndex(BY_ID, 'id', { unique: true });
  };
  return done(request);
}

export interface StoredPlayQueue extends PlayQueue {
  readonly persistent: boolean;
  add(play: PlayRecord): Promise<void>;
  size(): Promise<number>;
  /** Plays dropped because the queue was full. */
  readonly dropped: number;
}

class IndexedDbPlayQueue implements StoredPlayQueue {
  readonly persistent = true;
  readonly #db: IDBDatabase;
  readonly #max: number;
  #dropped = 0;

  constructor(db: IDBDatabase, max: number) {
    this.#db = db;
    this.#max = max;
  }

  get dropped(): number {
    return this.#dropped;
  }

  async add(play: PlayRecord): Promise<void> {
    const tx = this.#db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const existing = await done(store.index(BY_ID).getKey(play.id));
    if (existing === undefined) store.add(play);
    const count = await done(store.count());
    let excess = count - this.#max;
    if (excess > 0) {
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at || excess <= 0) return;
        at.delete();
        excess--;
        this.#dropped++;
        at.continue();
      };
    }
    await finished(tx);
  }

  async peek(limit: number): Promise<PlayRecord[]> {
    const tx = this.#db.transaction(STORE, 'readonly');
    const plays: PlayRecord[] = [];
    const cursor = tx.objectStore(STORE).openCursor();
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (!at || plays.length >= limit) return;
      // Written by add() from a PlayRecord; the server validates whatever is sent anyway.
      plays.push(at.value as PlayRecord);
      at.continue();
    };
    await finished(tx);
    return plays;
  }

  async remove(ids: readonly string[]): Promise<void> {
    const tx = this.#db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const index = store.index(BY_ID);
    for (const id of ids) {
      const request = index.getKey(id);
      request.onsuccess = () => {
        if (request.result !== undefined) store.delete(request.result);
      };
    }
    await finished(tx);
  }

  size(): Promise<number> {
    return done(this.#db.transaction(STORE, 'readonly').objectStore(STORE).count());
  }
}

class MemoryFallback implements StoredPlayQueue {
  readonly persistent = false;
  readonly #queue: MemoryPlayQueue;

  constructor(max: number) {
    this.#queue = new MemoryPlayQueue(max);
  }

  get dropped(): number {
    return this.#queue.dropped;
  }

  add(play: PlayRecord): Promise<void> {
    this.#queue.add(play);
    return Promise.resolve();
  }

  peek(limit: number): Promise<PlayRecord[]> {
    return this.#queue.peek(limit);
  }

  remove(ids: readonly string[]): Promise<void> {
    return this.#queue.remove(ids);
  }

  size(): Promise<number> {
    return Promise.resolve(this.#queue.size);
  }
}

/** The IndexedDB queue, or a memory one where IndexedDB is unavailable. */
export async function openPlayQueue(
  factory: IDBFactory | undefined,
  max = 20_000,
): Promise<StoredPlayQueue> {
  if (factory) {
    try {
      return new IndexedDbPlayQueue(await openDb(factory), max);
    } catch {
      // Falls through to memory.
    }
  }
  return new MemoryFallback(max);
}
