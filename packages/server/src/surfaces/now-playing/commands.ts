/**
 * Playback commands waiting for their player's acknowledgement, keyed by `command_id`. Each ends
 * exactly once: acknowledged (ok or not), timed out, or failed because its player went away.
 * An ack only counts from the player the command was sent to, so one player cannot answer for
 * another; a late or unknown ack is ignored. Timers are injected so timeouts are testable.
 */
import { randomUUID } from 'node:crypto';
import { MarqueeError, protocol } from '@marquee/sdk';

type PlayerAck = protocol.playback.PlayerAck;
type PlaybackErrorCode = protocol.playback.PlaybackErrorCode;

const { PlaybackErrorCodes } = protocol.playback;

export interface CommandTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PendingCommandsOptions {
  /** @default globalThis.setTimeout / clearTimeout */
  readonly timers?: CommandTimers;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

interface Pending {
  readonly playerId: string;
  readonly timer: unknown;
  readonly settle: (error?: MarqueeError) => void;
}

/** A playback error with its documented status. */
export function playbackError(code: PlaybackErrorCode, message: string): MarqueeError {
  return new MarqueeError(code, message, { status: PlaybackErrorCodes[code] });
}

const defaultTimers: CommandTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class PendingCommands {
  readonly #pending = new Map<string, Pending>();
  readonly #timers: CommandTimers;
  readonly #newId: () => string;

  constructor(options: PendingCommandsOptions = {}) {
    this.#timers = options.timers ?? defaultTimers;
    this.#newId = options.newId ?? randomUUID;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a command for `playerId`. `done` resolves on an ok ack and rejects with
   * PLAYER_ERROR (502), UPSTREAM_TIMEOUT (504) or whatever `fail` is given.
   */
  issue(playerId: string, timeoutMs: number): { commandId: string; done: Promise<void> } {
    const commandId = this.#newId();
    const done = new Promise<void>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#end(
          commandId,
          playbackError(
            'UPSTREAM_TIMEOUT',
            `The player did not acknowledge within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(commandId, {
        playerId,
        timer,
        settle: (error) => (error ? reject(error) : resolve()),
      });
    });
    return { commandId, done };
  }

  /** Applies an ack from `playerId`; false when no command of that player has its id. */
  ack(playerId: string, ack: PlayerAck): boolean {
    if (this.#pending.get(ack.command_id)?.playerId !== playerId) return false;
    this.#end(
      ack.command_id,
      ack.ok
        ? undefined
        : playbackError(
            'PLAYER_ERROR',
            ack.error?.trim() || 'The player could not apply the command',
          ),
    );
    return true;
  }

  /** Fails one command (e.g. its message could not be sent). */
  fail(commandId: string, error: MarqueeError): void {
    this.#end(commandId, error);
  }

  /** Fails every command sent to `playerId`; returns how many. */
  failPlayer(playerId: string, error: MarqueeError): number {
    let failed = 0;
    for (const [commandId, pending] of [...this.#pending]) {
      if (pending.playerId !== playerId) continue;
      this.#end(commandId, error);
      failed++;
    }
    return failed;
  }

  /** Fails everything (shutdown). */
  failAll(error: MarqueeError): void {
    for (const commandId of [...this.#pending.keys()]) this.#end(commandId, error);
  }

  #end(commandId: string, error?: MarqueeError): void {
    const pending = this.#pending.get(commandId);
    if (!pending) return;
    this.#pending.delete(commandId);
    this.#timers.clearTimeout(pending.timer);
    pending.settle(error);
  }
}
