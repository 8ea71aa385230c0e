/**
 * Commands to devices, persisted so none is lost: every command is stored as `queued` first,
 * then each device's queue is flushed in creation order whenever it can be (at once for an
 * online device, on connect for an offline one). Flushes of one device run one after another, so
 * a device never receives its commands out of order, and a command is marked `sent` (guarded by
 * its state) before it is written.
 *
 * Delivery guarantee, by kind of device:
 * - A device that acknowledges (it opens its socket with `acks=1`, as the SDK's device client
 *   does): at least once on the wire, exactly once applied. A command written but not yet
 *   acknowledged when the socket dropped (or the server died) is written again, with the same
 *   `command_id` and in its original place in the order, on the device's next socket while its
 *   TTL lasts; the device drops ids it already applied and repeats their ack.
 * - A seed-only device never acks: each command is written at most once and stays `sent`.
 *
 * An `ack` moves a command to `acked` or `failed`, or to `expired` when the device says it came
 * after the command's `expires_at` (written into the command). A queued command whose TTL passes
 * becomes `expired` and is never sent.
 *
 * State changes (`sent`, a re-delivery's time, `requeue`, the settling ack) and the socket's own
 * writes (last seen, ready playlists) are written behind, in batches: one transaction for all
 * that was submitted in an event-loop turn (`write-batcher.ts`, `applyStateChanges`). A command
 * is written to the socket only after its `sent` is committed; an ack counts once its new state
 * is committed. A crash loses at most the uncommitted batch: an ack in it leaves its command
 * `sent`, which the next socket carries again (the device drops it and acks again).
 *
 * Bounded: a device holds at most `maxQueuedPerDevice` commands waiting for delivery (`queued`);
 * a command beyond is not stored and `issue` names the device as skipped. Only `queued` counts:
 * a seed-only TV never acks, so its `sent` commands stay `sent` for good and counting them would
 * lock it out after N commands; an online device's queue is flushed at once and stays near 0.
 */
import { randomUUID } from 'node:crypto';
import type { protocol } from '@marquee/sdk';
import type {
  SignageCommandRecord,
  SignageRepositories,
  SignageStateChange,
  SignageStateChangeResult,
} from './store';
import { BatcherClosedError, WriteBatcher, type WriteBatcherOptions } from './write-batcher';
import type { DeviceConnections } from './connections';
import type { FleetEvents } from './fleet-events';

type ServerAction = protocol.signage.ServerAction;
type CommandAccepted = protocol.signage.CommandAccepted;
type AckMessage = protocol.signage.AckMessage;

export interface CommandsLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface SignageCommandsOptions {
  readonly store: SignageRepositories;
  readonly connections: DeviceConnections;
  /** Unix ms. */
  readonly now: () => number;
  /** TTL of a command issued without one. */
  readonly defaultTtlSeconds: number;
  /** Commands waiting for delivery per device (MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE). */
  readonly maxQueuedPerDevice: number;
  readonly logger: CommandsLogger;
  /** How often queued commands are checked for expiry. @default 30000 */
  readonly sweepIntervalMs?: number;
  /**
   * Devices whose commands were stored here but whose socket is not: nudges the instance holding
   * it, if any (cluster.ts). Absent when the server runs alone.
   */
  readonly route?: (snNumbers: readonly string[]) => Promise<void>;
  /** How state changes are batched into transactions (see write-batcher.ts). */
  readonly batching?: Omit<
    WriteBatcherOptions<SignageStateChange, SignageStateChangeResult>,
    'apply'
  >;
  /** Where command states, last seen, ready playlists and current playlists are announced. */
  readonly events?: FleetEvents;
}

/** What `issue` did: the commands stored, and the devices whose queue was full. */
export interface IssueResult {
  readonly accepted: CommandAccepted[];
  /** Devices that got no command, in request order. */
  readonly skipped: string[];
}

/** What an `ack` did: settled the command, named an unknown one, or repeated an earlier ack. */
export type AckResult = 'settled' | 'unknown' | 'duplicate';

export class SignageCommands {
  readonly #store: SignageRepositories;
  readonly #connections: DeviceConnections;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #maxQueued: number;
  readonly #logger: CommandsLogger;
  readonly #route: ((snNumbers: readonly string[]) => Promise<void>) | undefined;
  readonly #events: FleetEvents | undefined;
  /** The tail of each device's flush chain. */
  readonly #flushing = new Map<string, Promise<void>>();
  /** Command states, last seen and ready playlists: one transaction per batch. */
  readonly #states: WriteBatcher<SignageStateChange, SignageStateChangeResult>;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  readonly #settledListeners = new Set<(command: SignageCommandRecord) => void>();
  /** The expiry run of the current event-loop turn, shared by its callers. */
  #expiring: Promise<number> | undefined;

  constructor(options: SignageCommandsOptions) {
    this.#store = options.store;
    this.#connections = options.connections;
    this.#now = options.now;
    this.#ttl = options.defaultTtlSeconds;
    this.#maxQueued = options.maxQueuedPerDevice;
    this.#logger = options.logger;
    this.#route = options.route;
    this.#events = options.events;
    const commands = this.#store.commands;
    this.#states = new WriteBatcher({
      ...options.batching,
      apply: (changes) => commands.applyStateChanges(changes),
    });
    const interval = options.sweepIntervalMs ?? 30_000;
    this.#sweeper = setInterval(() => {
      this.expire().catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'expiring signage commands failed'),
      );
    }, interval);
    this.#sweeper.unref();
  }

  #iso(offsetMs = 0): string {
    return new Date(this.#now() + offsetMs).toISOString();
  }

  /**
   * Stores one command per device (in `snNumbers` order) and delivers to those online; answers
   * each command's state after that first attempt, and the devices skipped for a full queue.
   */
  async issue(
    snNumbers: readonly string[],
    action: ServerAction,
    ttlSeconds: number = this.#ttl,
  ): Promise<IssueResult> {
    // Commands past their TTL must not hold places in the bounded queue.
    await this.expire();
    const createdAt = this.#iso();
    const expiresAt = this.#iso(ttlSeconds * 1000);
    const created = await this.#store.commands.createMany(
      snNumbers.map((snNumber) => {
        const id = randomUUID();
        const command = { ...action, command_id: id, expires_at: expiresAt };
        return { id, snNumber, command, createdAt, expiresAt };
      }),
      this.#maxQueued,
    );
    for (const command of created) this.#events?.command(command);
    const stored = new Set(created.map((command) => command.snNumber));
    const skipped = snNumbers.filter((sn) => !stored.has(sn));
    // Stored is accepted: a delivery that fails here (logged by `flush`) is retried on connect.
    const here = [...stored].filter((sn) => this.#connections.isOnline(sn));
    const elsewhere = [...stored].filter((sn) => !this.#connections.isOnline(sn));
    await Promise.all([
      ...here.map((sn) => this.flush(sn).catch(() => undefined)),
      // Not connected here: the instance holding the device's socket delivers (after the commit
      // above, so its flush finds them); without one, the device's next socket does.
      this.#route?.(elsewhere).catch((error: unknown) => {
        this.#logger.warn(
          { err: error, devices: elsewhere.length },
          'could not reach the instances holding these devices; they get the commands on reconnect',
        );
      }),
    ]);
    const accepted = await Promise.all(
      created.map(async (command) => ({
        command_id: command.id,
        sn_number: command.snNumber,
        state: (await this.#store.commands.find(command.id))?.state ?? command.state,
      })),
    );
    return { accepted, skipped };
  }

  /**
   * `reload_playlist` for each device, after a playlist or screen change. A device that already
   * has an undelivered `reload_playlist` queued gets no second one: one reload fetches everything.
   */
  async reload(snNumbers: readonly string[]): Promise<void> {
    const targets: string[] = [];
    for (const sn of new Set(snNumbers)) {
      const queued = await this.#store.commands.queued(sn);
      if (!queued.some((c) => c.command.action === 'reload_playlist')) targets.push(sn);
    }
    if (targets.length === 0) return;
    const { skipped } = await this.issue(targets, { action: 'reload_playlist' });
    if (skipped.length > 0) {
      this.#logger.warn(
        { sn_numbers: skipped, limit: this.#maxQueued },
        'reload_playlist not queued: the devices hold too many undelivered commands',
      );
    }
  }

  /** Sends the device's queued commands in order if it is online; chained per device. */
  flush(snNumber: string): Promise<void> {
    const previous = this.#flushing.get(snNumber) ?? Promise.resolve();
    const next = previous.then(() => this.#flushNow(snNumber));
    const tail = next.catch((error: unknown) => {
      // Stopping: what was not written goes out on the device's socket after the next start.
      if (error instanceof BatcherClosedError) return;
      this.#logger.warn({ err: error, sn_number: snNumber }, 'delivering signage commands failed');
    });
    this.#flushing.set(snNumber, tail);
    void tail.then(() => {
      if (this.#flushing.get(snNumber) === tail) this.#flushing.delete(snNumber);
    });
    return next;
  }

  async #flushNow(snNumber: string): Promise<void> {
    const socket = this.#connections.get(snNumber);
    if (socket === undefined) return;
    const commands = this.#store.commands;
    await this.expire();
    const pending = socket.acks
      ? await commands.unsettled(snNumber)
      : await commands.queued(snNumber);
    const now = this.#iso();
    // Re-delivery: only what an earlier socket carried, and only while the TTL lasts.
    const due = pending.filter(
      (command) =>
        command.state === 'queued' ||
        (!this.#connections.carried(snNumber, command.id) && command.expiresAt > now),
    );
    if (due.length === 0) return;
    // Every state change of this flush goes into the same batch (one transaction with other
    // devices' changes), committed before anything is written to the socket. A queued command is
    // marked sent first, guarded by state: whatever races this (expiry, another flush), it is
    // written once by one flush; one that is no longer queued is skipped.
    const marks = await Promise.all(
      due.map((command) =>
        this.#states.submit(
          command.state === 'queued'
            ? { kind: 'sent', id: command.id, at: now }
            : { kind: 'resent', id: command.id, at: now },
        ),
      ),
    );
    for (const [i, command] of due.entries()) {
      if (!marks[i]?.changed) continue;
      const resend = command.state === 'sent';
      if (!this.#connections.sendCommand(snNumber, command.command)) {
        // The socket is gone: what was marked sent here and never written goes back to queued
        // (a re-delivery marked with a new time simply stays sent, as it was).
        const unsent = due
          .slice(i)
          .filter((c, j) => c.state === 'queued' && marks[i + j]?.changed === true);
        await Promise.all(unsent.map((c) => this.#states.submit({ kind: 'requeue', id: c.id })));
        return;
      }
      if (!resend) this.#events?.command({ ...command, state: 'sent' });
      // A device that does not acknowledge (a seed-only TV) never confirms; what reached its
      // socket is the best the server will know, so its effect is recorded on delivery.
      if (!socket.acks) await this.#record(snNumber, command.command);
      this.#logger.debug(
        { sn_number: snNumber, command_id: command.id, action: command.command.action },
        resend ? 'command re-sent' : 'command sent',
      );
    }
  }

  /**
   * Applies a device's `ack`; only the device a command was sent to can settle it. Resolves once
   * the new state is committed.
   */
  async ack(snNumber: string, ack: AckMessage): Promise<AckResult> {
    const { command } = await this.#states.submit({
      kind: 'settle',
      id: ack.command_id,
      snNumber,
      outcome: {
        ok: ack.ok,
        expired: !ack.ok && ack.expired === true,
        error: ack.ok ? null : (ack.error ?? 'The device refused the command'),
      },
      at: this.#iso(),
    });
    this.#connections.settled(snNumber, ack.command_id);
    if (command !== undefined) {
      this.#events?.command(command);
      await this.#applied(command);
      for (const listener of this.#settledListeners) {
        try {
          listener(command);
        } catch (error) {
          this.#logger.warn({ err: error, command_id: command.id }, 'a settled listener failed');
        }
      }
      return 'settled';
    }
    // Not settled now: an earlier ack did it (the device repeats acks of re-deliveries), or the
    // command is not this device's.
    const known = await this.#store.commands.find(ack.command_id);
    return known === undefined || known.snNumber !== snNumber ? 'unknown' : 'duplicate';
  }

  /** Records that a device's socket spoke (`last_seen_at`); coalesced per device in the batch. */
  touch(snNumber: string): Promise<void> {
    const at = this.#iso();
    return this.#states.submit({ kind: 'touch', snNumber, at }, `touch:${snNumber}`).then(() => {
      this.#events?.seen(snNumber, at);
    });
  }

  /** Stores the playlists a device says are ready; a newer report replaces one not yet written. */
  setReadyPlaylists(snNumber: string, playlistIds: readonly number[]): Promise<void> {
    return this.#states
      .submit(
        { kind: 'readyPlaylists', snNumber, playlistIds, at: this.#iso() },
        `ready:${snNumber}`,
      )
      .then(() => this.#events?.device('status', snNumber));
  }

  /**
   * Runs `listener` with each command a device's ack settles (acked, failed, expired), once;
   * returns its removal. The MQTT bridge reports results through it.
   */
  onSettled(listener: (command: SignageCommandRecord) => void): () => void {
    const wrapped = (command: SignageCommandRecord): void => listener(command);
    this.#settledListeners.add(wrapped);
    return () => {
      this.#settledListeners.delete(wrapped);
    };
  }

  /** Bookkeeping once a device confirms it applied a command. */
  async #applied(command: SignageCommandRecord): Promise<void> {
    if (command.state === 'acked') await this.#record(command.snNumber, command.command);
  }

  /** Stores what a command changes on the device: its current playlist, brightness, volume. */
  async #record(snNumber: string, action: SignageCommandRecord['command']): Promise<void> {
    const devices = this.#store.devices;
    if (action.action === 'switch_playlist') {
      await devices.setCurrentPlaylist(snNumber, action.playlist_id);
      this.#events?.device('current_playlist', snNumber, {
        current_playlist: action.playlist_id,
      });
    } else if (action.action === 'set_brightness') {
      await devices.setLevel(snNumber, 'brightness', action.brightness, this.#iso());
    } else if (action.action === 'set_volume') {
      await devices.setLevel(snNumber, 'volume', action.volume, this.#iso());
    }
  }

  /**
   * Expires every queued command past its TTL; returns how many. Calls in the same event-loop
   * turn share one run (a reconnect storm flushes thousands of devices in a turn, and the clock
   * has not moved between them).
   */
  expire(): Promise<number> {
    if (this.#expiring !== undefined) return this.#expiring;
    const run = this.#store.commands.expireDue(this.#iso()).then((count) => {
      if (count > 0) this.#events?.emit({ type: 'commands_expired', count });
      return count;
    });
    this.#expiring = run;
    setImmediate(() => {
      if (this.#expiring === run) this.#expiring = undefined;
    });
    return run;
  }

  /** Batches written so far and the changes in them. */
  get batchStats(): { readonly batches: number; readonly changes: number } {
    return this.#states.stats;
  }

  /**
   * Stops the expiry sweeper, waits for flushes in progress, then writes the last batch: every
   * state change submitted before the stop is committed when this resolves.
   */
  async stop(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.all(this.#flushing.values());
    await this.#states.close();
  }
}
