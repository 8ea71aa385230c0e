/**
 * The fleet's push channel for operator consoles, `WS /ws/cloud/admin/` (Marquee extension):
 * devices online/offline, last seen, playlist status and current playlist; pairing codes pending,
 * approved or rejected; each command's state. Every frame is validated with the protocol's
 * schemas and emitted as a typed event named by its `type`; connection-level events (open, close,
 * reconnecting) stay on `client.socket`, and `resync` fires on every open after `hello`: what
 * happened while the socket was down is not replayed, so a view reads its lists again then.
 *
 * Credentials: `token` (an operator's or admin's access token) is read again for every reconnect
 * and sent as `?token=`. In a browser page served by Marquee, leave it out: the session cookie
 * is sent with the handshake.
 */
import {
  AdminServerMessage,
  type AdminCommandMessage,
  type AdminCommandsExpiredMessage,
  type AdminDeviceMessage,
  type AdminHelloMessage,
  type AdminPairingMessage,
} from '../../protocol/signage/admin-events';
import type { signageChannels } from '../../protocol/signage/surface';
import type { MarqueeError } from '../../errors';
import { channelUrl } from '../../transport/channel-url';
import { Emitter } from '../../transport/emitter';
import { ReconnectingSocket } from '../../transport/reconnecting-socket';
import type {
  InvalidMessage,
  SocketOptions,
  SocketState,
  StateChange,
} from '../../transport/socket-types';

const CHANNEL_PATH: (typeof signageChannels)[1]['path'] = '/ws/cloud/admin/';

export interface SignageEventsClientOptions extends Omit<
  SocketOptions<AdminServerMessage, never>,
  'url' | 'incoming' | 'outgoing' | 'coalesceKey' | 'onConnect' | 'maxQueue'
> {
  /** The server, e.g. `https://signage.example`; the socket uses ws:// or wss:// to match. */
  readonly baseUrl: string;
}

export interface SignageEventsClientEvents {
  /** The subscription is live (first frame of every connection), after it `resync`. */
  hello: [hello: AdminHelloMessage];
  /** Read the lists again: the socket (re)opened and changes may have been missed meanwhile. */
  resync: [];
  device: [event: AdminDeviceMessage];
  pairing: [event: AdminPairingMessage];
  command: [event: AdminCommandMessage];
  commands_expired: [event: AdminCommandsExpiredMessage];
  'invalid-message': [invalid: InvalidMessage];
  state: [change: StateChange];
  error: [error: MarqueeError];
}

export class SignageEventsClient extends Emitter<SignageEventsClientEvents> {
  readonly socket: ReconnectingSocket<AdminServerMessage, never>;

  constructor(options: SignageEventsClientOptions) {
    super();
    const { baseUrl, ...socketOptions } = options;
    this.socket = new ReconnectingSocket<AdminServerMessage, never>({
      ...socketOptions,
      url: channelUrl(baseUrl, CHANNEL_PATH),
      incoming: AdminServerMessage,
    });
    this.socket.onMessage('hello', (message) => {
      this.emit('hello', message);
      this.emit('resync');
    });
    this.socket.onMessage('device', (message) => this.emit('device', message));
    this.socket.onMessage('pairing', (message) => this.emit('pairing', message));
    this.socket.onMessage('command', (message) => this.emit('command', message));
    this.socket.onMessage('commands_expired', (message) => this.emit('commands_expired', message));
    this.socket.on('invalid-message', (invalid) => this.emit('invalid-message', invalid));
    this.socket.on('state', (change) => this.emit('state', change));
    this.socket.on('error', (error) => this.emit('error', error));
  }

  get state(): SocketState {
    return this.socket.state;
  }

  /** Opens the channel (and keeps it open, reconnecting, until `close()`). */
  connect(): this {
    this.socket.connect();
    return this;
  }

  /** Closes the channel for good. */
  close(): void {
    this.socket.close();
  }
}

/** Creates the fleet events client; call `connect()` to start receiving. */
export function createSignageEventsClient(
  options: SignageEventsClientOptions,
): SignageEventsClient {
  return new SignageEventsClient(options);
}
