/**
 * The fleet's change notices for operator consoles (`admin-channel.ts`): the places where a
 * device, a pairing or a command changes call one method here, and the admin channel fans each
 * notice out. Nothing is stored: a console reads the REST lists again when it (re)connects.
 *
 * `last_seen` is said at most once per device every `lastSeenEveryMs` (a device speaks on its
 * socket with every report; a console shows last seen to the minute); the per-device mark is
 * dropped when the device goes offline, so the map holds online devices only.
 */
import type { protocol } from '@marquee/sdk';
import type { SignageCommandRecord } from './store';

type AdminServerMessage = protocol.signage.AdminServerMessage;
type AdminDeviceMessage = protocol.signage.AdminDeviceMessage;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A notice before its `at` is stamped. */
export type FleetEvent = DistributiveOmit<Exclude<AdminServerMessage, { type: 'hello' }>, 'at'>;
type Listener = (message: Exclude<AdminServerMessage, { type: 'hello' }>) => void;

export interface FleetEventsOptions {
  /** Unix ms. */
  readonly now: () => number;
  /** Millisecond clock that never steps (the last-seen throttle). */
  readonly monotonic: () => number;
  /** @default 10000 */
  readonly lastSeenEveryMs?: number;
  readonly logger: { warn(obj: object, msg?: string): void };
}

export class FleetEvents {
  readonly #options: FleetEventsOptions;
  readonly #listeners = new Set<Listener>();
  readonly #lastSeenSaid = new Map<string, number>();

  constructor(options: FleetEventsOptions) {
    this.#options = options;
  }

  /** Runs `listener` with every notice; returns its removal. */
  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: FleetEvent): void {
    if (this.#listeners.size === 0) return;
    const message = { ...event, at: new Date(this.#options.now()).toISOString() };
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'a fleet event listener failed');
      }
    }
  }

  device(
    change: AdminDeviceMessage['change'],
    snNumber: string,
    fields: Omit<AdminDeviceMessage, 'type' | 'change' | 'sn_number' | 'at'> = {},
  ): void {
    if (change === 'offline' || change === 'removed') this.#lastSeenSaid.delete(snNumber);
    this.emit({ type: 'device', change, sn_number: snNumber, ...fields });
  }

  /** The device spoke at `at` (ISO); said when the last notice for it is old enough. */
  seen(snNumber: string, at: string): void {
    const now = this.#options.monotonic();
    const said = this.#lastSeenSaid.get(snNumber);
    if (said !== undefined && now - said < (this.#options.lastSeenEveryMs ?? 10_000)) return;
    this.#lastSeenSaid.set(snNumber, now);
    this.device('last_seen', snNumber, { last_seen: at });
  }

  command(
    command: Pick<SignageCommandRecord, 'id' | 'snNumber' | 'command' | 'state'> & {
      readonly error?: string | null;
    },
  ): void {
    this.emit({
      type: 'command',
      command_id: command.id,
      sn_number: command.snNumber,
      action: command.command.action,
      state: command.state,
      ...(command.error === undefined ? {} : { error: command.error }),
    });
  }
}
