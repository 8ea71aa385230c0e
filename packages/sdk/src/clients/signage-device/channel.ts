/**
 * The device's control socket, `/ws/cloud/tb_device/?token=<access>&sn_number=<sn>&acks=1`
 * (`acks=1`: this client acknowledges commands and de-duplicates re-deliveries). The token
 * is read from the TokenManager on every (re)connect, so a reconnect after expiry carries a
 * refreshed one; when the server refuses a token (close 4001, or a 401 on the upgrade) the next
 * attempt refreshes first instead of presenting the same token again.
 */
import { CloseCodes } from '../../protocol/close-codes';
import { ClientMessage } from '../../protocol/signage/client-messages';
import { ServerMessage } from '../../protocol/signage/server-messages';
import type { signageChannels } from '../../protocol/signage/surface';
import { channelUrl as socketUrl } from '../../transport/channel-url';
import { ReconnectingSocket } from '../../transport/reconnecting-socket';
import type { SocketOptions } from '../../transport/socket-types';
import type { TokenManager } from '../../transport/token-manager';

const CHANNEL_PATH: (typeof signageChannels)[0]['path'] = '/ws/cloud/tb_device/';

export type DeviceSocket = ReconnectingSocket<ServerMessage, ClientMessage>;

/** Socket settings the device client passes through from its own options. */
export type DeviceSocketOptions = Omit<
  SocketOptions<ServerMessage, ClientMessage>,
  'url' | 'incoming' | 'outgoing' | 'token' | 'tokenParam'
>;

export function createDeviceSocket(
  baseUrl: string,
  snNumber: string,
  tokens: TokenManager,
  options: DeviceSocketOptions,
): DeviceSocket {
  let presented: string | undefined;
  let refused: string | undefined;
  const socket = new ReconnectingSocket<ServerMessage, ClientMessage>({
    ...options,
    url: (token) => channelUrl(baseUrl, token, snNumber),
    incoming: ServerMessage,
    outgoing: ClientMessage,
    token: async () => {
      if (refused !== undefined) {
        const stale = refused;
        refused = undefined;
        await tokens.refresh(stale);
      }
      presented = await tokens.getAccessToken();
      return presented;
    },
  });
  socket.on('close', ({ code }) => {
    if (code === CloseCodes.UNAUTHORIZED) refused = presented;
  });
  socket.on('error', (error) => {
    // `ws` reports a refused upgrade as "Unexpected server response: 401".
    if (/\b401\b/.test(error.message)) refused = presented;
  });
  return socket;
}

/** `http(s)://host/prefix` → `ws(s)://host/prefix/ws/cloud/tb_device/?token=&sn_number=&acks=1`. */
export function channelUrl(baseUrl: string, token: string | undefined, snNumber: string): string {
  return socketUrl(baseUrl, CHANNEL_PATH, {
    ...(token === undefined ? {} : { token }),
    sn_number: snNumber,
    acks: '1',
  });
}
