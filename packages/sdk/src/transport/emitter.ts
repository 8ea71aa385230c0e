/**
 * A small typed event emitter for the socket and the clients. It keeps the method names and the
 * behaviour of eventemitter3, which the SDK used before, for what the SDK and its users call:
 * `on`/`addListener`, `once`, `off`/`removeListener`, `removeAllListeners`, `emit` and
 * `listenerCount`. `error` is an event like any other (emitting it
 * without a listener does not throw), listeners run in the order they were added, and a listener
 * added or removed during an `emit` does not change who that `emit` calls. It exists because it is
 * a fifth of eventemitter3's size, and the panel client's bundle has a budget (docs/size.md).
 */

/** Event name → listener arguments, e.g. `{ open: []; message: [message: In] }`. */
export type EventMap<Events> = { [Event in keyof Events]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

interface Entry {
  /** Stored loosely typed: `on` and `emit` pair each event with its own argument types. */
  readonly listener: Listener<unknown[]>;
  readonly once: boolean;
}

export class Emitter<Events extends EventMap<Events>> {
  #entries = new Map<keyof Events, readonly Entry[]>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    return this.#add(event, listener, false);
  }

  addListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    return this.#add(event, listener, false);
  }

  /** Adds a listener that is removed before its first call. */
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    return this.#add(event, listener, true);
  }

  /** Removes every registration of `listener`, or all listeners of `event` without one. */
  off<E extends keyof Events>(event: E, listener?: Listener<Events[E]>): this {
    const entries = this.#entries.get(event);
    if (entries === undefined) return this;
    const kept = listener === undefined ? [] : entries.filter((e) => e.listener !== listener);
    if (kept.length > 0) this.#entries.set(event, kept);
    else this.#entries.delete(event);
    return this;
  }

  removeListener<E extends keyof Events>(event: E, listener?: Listener<Events[E]>): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.#entries.clear();
    else this.#entries.delete(event);
    return this;
  }

  /** Calls the listeners of `event` with `args`; returns whether there were any. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean {
    const entries = this.#entries.get(event);
    if (entries === undefined) return false;
    for (const entry of entries) {
      if (entry.once) this.#remove(event, entry);
      entry.listener.apply(this, args);
    }
    return true;
  }

  listenerCount(event: keyof Events): number {
    return this.#entries.get(event)?.length ?? 0;
  }

  #add<E extends keyof Events>(event: E, listener: Listener<Events[E]>, once: boolean): this {
    // Entry lists are replaced, never mutated, so an emit in progress keeps its own list.
    const entry: Entry = { listener: listener as Listener<unknown[]>, once };
    this.#entries.set(event, [...(this.#entries.get(event) ?? []), entry]);
    return this;
  }

  #remove(event: keyof Events, entry: Entry): void {
    const kept = (this.#entries.get(event) ?? []).filter((e) => e !== entry);
    if (kept.length > 0) this.#entries.set(event, kept);
    else this.#entries.delete(event);
  }
}
