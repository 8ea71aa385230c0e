/**
 * Commands from MQTT: `<prefix>/<node>/command/signage` and `.../command/playback`, each a JSON
 * object with the client's `id`. Allowed only as the `MARQUEE_MQTT_COMMANDS` allow-list says, then
 * carried out on the paths the HTTP API uses: a signage command through the fleet's command queue
 * (stored, delivered in order, acknowledged, applied exactly once), a playback command through
 * the Now Playing player relay. Every outcome, refusals and bad payloads included, is published on
 * `<prefix>/<node>/result` with the command's id; nothing a client sends can throw out of here.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { UserIdentity } from '../../core/auth';
import type { PlaybackControl } from '../../surfaces/now-playing/control';
import type { Signage } from '../../surfaces/signage/module';
import type { SignageCommandRecord } from '../../surfaces/signage/store';

type Result = protocol.mqtt.MqttCommandResult;
type ErrorCode = protocol.mqtt.MqttCommandErrorCode;
type Policy = protocol.mqtt.MqttCommandPolicy;

/** Larger payloads are refused unread. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** Ids remembered to refuse a repeat, and signage commands awaiting their device's ack. */
export const MAX_REMEMBERED = 1000;

/**
 * Who the bridge acts as on the playback path: the allow-list is its authorisation, and a stop it
 * was allowed to send ends the session like an admin's would.
 */
export const MQTT_IDENTITY: UserIdentity = {
  kind: 'user',
  userId: 0,
  username: 'mqtt',
  role: 'admin',
};

export interface MqttCommandsOptions {
  readonly policy: Policy;
  readonly signage: Pick<Signage, 'store' | 'commands' | 'connections'>;
  readonly control: PlaybackControl;
  readonly publishResult: (result: Result) => void;
  /** Unix ms. */
  readonly now: () => number;
}

class Refused extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const FINAL = new Set(['acked', 'failed', 'expired']);

/** Adds to a bounded insertion-ordered map, forgetting the oldest entry beyond `MAX_REMEMBERED`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

function allows(list: '*' | readonly string[], value: string): boolean {
  return list === '*' || list.includes(value);
}

export class MqttCommands {
  readonly #options: MqttCommandsOptions;
  readonly #seen = new Map<string, true>();
  /** Signage command id → the MQTT command's id, until its device settles it. */
  readonly #awaiting = new Map<string, string>();
  /** Commands settled before `issue` returned (a fast device), for the caller to pick up. */
  readonly #settledEarly = new Map<string, SignageCommandRecord>();
  readonly #stopSettled: () => void;

  constructor(options: MqttCommandsOptions) {
    this.#options = options;
    this.#stopSettled = options.signage.commands.onSettled((record) => this.#onSettled(record));
  }

  stop(): void {
    this.#stopSettled();
  }

  /** One message on a command topic; `kind` is the topic's last level. */
  async handle(kind: string, payload: Buffer): Promise<void> {
    let id: string | null = null;
    try {
      if (payload.length > MAX_COMMAND_BYTES) {
        throw new Refused('INVALID_PAYLOAD', `Larger than ${MAX_COMMAND_BYTES} bytes`);
      }
      let body: unknown;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        throw new Refused('INVALID_PAYLOAD', 'Not JSON');
      }
      const claimed = (body as { id?: unknown } | null)?.id;
      if (typeof claimed === 'string' && protocol.mqtt.MqttCommandId.safeParse(claimed).success) {
        id = claimed;
      }
      const known = protocol.mqtt.MqttCommandKind.safeParse(kind);
      if (!known.success) throw new Refused('UNKNOWN_COMMAND', `No command kind "${kind}"`);
      const grant = this.#options.policy[known.data];
      if (grant === undefined) {
        throw new Refused(
          'FORBIDDEN',
          `${known.data} commands are not allowed (MARQUEE_MQTT_COMMANDS)`,
        );
      }
      if (known.data === 'signage') await this.#signage(body);
      else await this.#playback(body);
    } catch (error) {
      this.#result({ id, kind, ok: false, status: 'error', error: this.#errorOf(error) });
    }
  }

  #errorOf(error: unknown): { code: ErrorCode; message: string } {
    if (error instanceof Refused) return { code: error.code, message: error.message };
    if (error instanceof MarqueeError) {
      const code: ErrorCode =
        error.code === 'NOT_FOUND'
          ? 'NOT_FOUND'
          : error.code === 'FORBIDDEN'
            ? 'FORBIDDEN'
            : error.code === 'RATE_LIMITED'
              ? 'RATE_LIMITED'
              : 'FAILED';
      return { code, message: error.message };
    }
    return { code: 'FAILED', message: error instanceof Error ? error.message : String(error) };
  }

  #parse<T>(
    schema: {
      safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown };
    },
    body: unknown,
  ): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = (parsed.error as { issues?: { path: PropertyKey[]; message: string }[] })
        .issues;
      const first = issues?.[0];
      throw new Refused(
        'INVALID_PAYLOAD',
        first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'Invalid',
      );
    }
    return parsed.data;
  }

  /** A repeated id is refused: MQTT may deliver a message twice, a command runs once. */
  #once(id: string): void {
    if (this.#seen.has(id)) throw new Refused('DUPLICATE', `Command ${id} was already received`);
    remember(this.#seen, id, true);
  }

  async #signage(body: unknown): Promise<void> {
    const grant = this.#options.policy.signage;
    const command = this.#parse(protocol.mqtt.MqttSignageCommand, body);
    if (grant === undefined) throw new Refused('FORBIDDEN', 'signage commands are not allowed');
    if (!allows(grant.devices, command.sn_number)) {
      throw new Refused('FORBIDDEN', `Device ${command.sn_number} is not in the allow-list`);
    }
    if (!allows(grant.actions, command.command.action)) {
      throw new Refused('FORBIDDEN', `Action ${command.command.action} is not in the allow-list`);
    }
    const { store, commands } = this.#options.signage;
    const found = await store.devices.list({ among: [command.sn_number] });
    if (found.length === 0) throw new Refused('NOT_FOUND', `No device ${command.sn_number}`);
    this.#once(command.id);
    // The server assigns the id the device sees, as the admin route does.
    const { command_id: _ignored, ...action } = command.command;
    const { accepted, skipped } = await commands.issue(
      [command.sn_number],
      action,
      command.ttl_seconds,
    );
    const first = accepted[0];
    if (skipped.length > 0 || first === undefined) {
      throw new Refused(
        'RATE_LIMITED',
        `Device ${command.sn_number} holds too many undelivered commands (MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE)`,
      );
    }
    const base = {
      id: command.id,
      kind: 'signage',
      command_id: first.command_id,
      sn_number: first.sn_number,
    };
    this.#result({ ...base, ok: true, status: 'accepted' });
    const early = this.#settledEarly.get(first.command_id);
    this.#settledEarly.delete(first.command_id);
    if (early !== undefined) {
      this.#final(command.id, early);
    } else if (FINAL.has(first.state)) {
      this.#result({
        ...base,
        ok: first.state === 'acked',
        status: first.state as Result['status'],
      });
    } else if (
      first.state === 'sent' &&
      this.#options.signage.connections.get(first.sn_number)?.acks === false
    ) {
      // A seed-only device never acks: written to its socket is all that will be known.
      this.#result({ ...base, ok: true, status: 'sent' });
    } else {
      remember(this.#awaiting, first.command_id, command.id);
    }
  }

  #onSettled(record: SignageCommandRecord): void {
    const id = this.#awaiting.get(record.id);
    if (id === undefined) {
      // Perhaps one of ours whose `issue` has not returned yet; kept briefly, bounded.
      remember(this.#settledEarly, record.id, record);
      return;
    }
    this.#awaiting.delete(record.id);
    this.#final(id, record);
  }

  #final(id: string, record: SignageCommandRecord): void {
    const ok = record.state === 'acked';
    this.#result({
      id,
      kind: 'signage',
      ok,
      status: record.state as Result['status'],
      command_id: record.id,
      sn_number: record.snNumber,
      ...(ok ? {} : { error: { code: 'FAILED' as const, message: record.error ?? record.state } }),
    });
  }

  async #playback(body: unknown): Promise<void> {
    const grant = this.#options.policy.playback;
    const command = this.#parse(protocol.mqtt.MqttPlaybackCommand, body);
    if (grant === undefined) throw new Refused('FORBIDDEN', 'playback commands are not allowed');
    if (!allows(grant.actions, command.action)) {
      throw new Refused('FORBIDDEN', `Action ${command.action} is not in the allow-list`);
    }
    this.#once(command.id);
    const base = { id: command.id, kind: 'playback', session_id: command.session_id };
    try {
      const answer = await this.#options.control(MQTT_IDENTITY, command.session_id, {
        action: command.action,
        timeout_ms: command.timeout_ms,
      });
      this.#result({ ...base, ok: true, status: 'acked', command_id: answer.command_id });
    } catch (error) {
      this.#result({ ...base, ok: false, status: 'error', error: this.#errorOf(error) });
    }
  }

  #result(result: Omit<Result, 'at'>): void {
    this.#options.publishResult({ ...result, at: this.#options.now() });
  }
}
