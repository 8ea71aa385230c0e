/**
 * Handling one control action: the typed event first (the app's listeners apply it), then the
 * app's `onCommand` hook, then what the client itself does for the action (reload, switch,
 * remembering brightness and volume). A listener that throws, a hook that rejects or overruns its
 * time, or a built-in step that fails refuses the command; the `ack` carries that message.
 */
import type { ServerAction } from '../../protocol/signage/actions';
import { MAX_REPORT_ERROR, type AckMessage } from '../../protocol/signage/client-messages';
import { frameText } from '../../transport/decode-frame';
import type { InvalidMessage } from '../../transport/socket-types';

/** Applies an action in the app; throw or reject to refuse it (the ack then says why). */
export type CommandHandler = (action: ServerAction) => void | Promise<void>;

/** How a command ended. */
export interface CommandOutcome {
  readonly ok: boolean;
  /** Why it was refused, when `ok` is false. */
  readonly error?: string;
}

export interface CommandSteps {
  /** Emits the typed event; a listener's exception refuses the command. */
  readonly emit: () => void;
  readonly hook: CommandHandler | undefined;
  readonly hookTimeoutMs: number;
  /** The client's own work for the action. */
  readonly builtIn: () => Promise<void>;
}

/**
 * The command ids this device has seen, so a re-delivered command (the server writes an
 * unacknowledged command again after a reconnect) is applied once: while it runs a repeat is
 * dropped (its ack follows), afterwards a repeat gets the same ack again. Bounded: the oldest ids
 * are forgotten first; the server re-delivers only commands it has not seen acknowledged, which
 * are always among the most recent.
 */
export class CommandLedger {
  readonly #seen = new Map<string, AckMessage | 'running'>();
  readonly #limit: number;

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  /** Undefined for a new id (now recorded as running), otherwise what became of it. */
  begin(commandId: string): AckMessage | 'running' | undefined {
    const seen = this.#seen.get(commandId);
    if (seen !== undefined) return seen;
    this.#seen.set(commandId, 'running');
    while (this.#seen.size > this.#limit) {
      const oldest = this.#seen.keys().next();
      if (oldest.done === true) break;
      this.#seen.delete(oldest.value);
    }
    return undefined;
  }

  finish(commandId: string, ack: AckMessage): void {
    if (this.#seen.has(commandId)) this.#seen.set(commandId, ack);
  }
}

export async function runCommand(
  action: ServerAction,
  steps: CommandSteps,
): Promise<CommandOutcome> {
  try {
    steps.emit();
    if (steps.hook)
      await withTimeout(
        Promise.resolve().then(() => steps.hook?.(action)),
        steps.hookTimeoutMs,
      );
    await steps.builtIn();
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: (message || 'Command failed').slice(0, MAX_REPORT_ERROR) };
  }
}

/** The ack for an action that carried a `command_id`; undefined for one nobody waits for. */
export function ackFor(action: ServerAction, outcome: CommandOutcome): AckMessage | undefined {
  if (action.command_id === undefined) return undefined;
  return {
    type: 'ack',
    command_id: action.command_id,
    ok: outcome.ok,
    ...(outcome.ok || outcome.error === undefined ? {} : { error: outcome.error }),
  };
}

/**
 * The `expires_at` of a command that arrived too late (at `nowMs` or after), else undefined; a
 * command without one, or with one that does not parse, never expires on the device.
 */
export function expiredAt(action: ServerAction, nowMs: number): string | undefined {
  if (action.expires_at === undefined) return undefined;
  const at = Date.parse(action.expires_at);
  return Number.isFinite(at) && at <= nowMs ? action.expires_at : undefined;
}

/** The ack of a command not applied because it arrived after `expiresAt`. */
export function expiredAck(action: ServerAction, expiresAt: string): AckMessage | undefined {
  if (action.command_id === undefined) return undefined;
  return {
    type: 'ack',
    command_id: action.command_id,
    ok: false,
    expired: true,
    error: `Expired at ${expiresAt}; not applied`,
  };
}

/**
 * The refusal for a server message the schema rejected (an unknown action, a level out of
 * range), when it carries a `command_id`: the server then records the command as failed rather
 * than waiting for an ack that would never come.
 */
export function refusalFor(invalid: InvalidMessage): AckMessage | undefined {
  const text = frameText(invalid.raw);
  let message: unknown;
  try {
    message = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null) return undefined;
  const commandId: unknown = Reflect.get(message, 'command_id');
  const action: unknown = Reflect.get(message, 'action');
  if (typeof commandId !== 'string' || commandId === '' || typeof action !== 'string') {
    return undefined;
  }
  const first = invalid.issues[0];
  const error = first
    ? `Invalid ${action} command: ${first.message} at [${first.path.join('.')}]`
    : `Unsupported action: ${action}`;
  return {
    type: 'ack',
    command_id: commandId.slice(0, 128),
    ok: false,
    error: error.slice(0, MAX_REPORT_ERROR),
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`The device did not apply it within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
