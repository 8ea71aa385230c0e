/**
 * The typed event emitter the socket and the clients extend: eventemitter3 (the design's choice)
 * behind a typed face. Each event's listener arguments come from the event map, so `on('snapshot',
 * (s) => …)` types `s` and `emit` checks what it sends. What it does is eventemitter3's: `error` is
 * an event like any other (emitting it without a listener does not throw), listeners run in the
 * order they were added with the emitter as `this`, and a listener added or removed during an
 * `emit` does not change who that `emit` calls.
 *
 * The emitter is held, not inherited, so the public type names no eventemitter3 type (its
 * `context` parameters are `any`). eventemitter3 costs the panel bundle under 1 KB gzip over a
 * hand-written emitter, measured from the packed package (docs/size.md).
 */
import { EventEmitter } from 'eventemitter3';

/** Event name → listener arguments, e.g. `{ open: []; message: [message: In] }`. */
export type EventMap<Events> = { [Event in keyof Events]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

/** eventemitter3 takes string and symbol names; the typed methods below pass `keyof Events`. */
type Name = string | symbol;

export class Emitter<Events extends EventMap<Events>> {
  readonly #events = new EventEmitter<Name>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    this.#events.on(event as Name, listener, this);
    return this;
  }

  addListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    return this.on(event, listener);
  }

  /** Adds a listener that is removed before its first call. */
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    this.#events.once(event as Name, listener, this);
    return this;
  }

  /** Removes every registration of `listener`, or all listeners of `event` without one. */
  off<E extends keyof Events>(event: E, listener?: Listener<Events[E]>): this {
    if (listener === undefined) this.#events.removeAllListeners(event as Name);
    else this.#events.off(event as Name, listener);
    return this;
  }

  removeListener<E extends keyof Events>(event: E, listener?: Listener<Events[E]>): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: keyof Events): this {
    this.#events.removeAllListeners(event as Name | undefined);
    return this;
  }

  /** Calls the listeners of `event` with `args`; returns whether there were any. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean {
    return this.#events.emit(event as Name, ...args);
  }

  listenerCount(event: keyof Events): number {
    return this.#events.listenerCount(event as Name);
  }
}
