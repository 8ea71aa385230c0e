/** The transport: reconnecting validated socket, backoff, close codes and the HTTP helper. */
export { backoffDelay, type BackoffOptions } from './backoff';
export { ClientCloseCodes, type ClientCloseCode } from './close-codes';
export type { HeartbeatOptions } from './heartbeat';
export {
  createHttpClient,
  type AuthProvider,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type QueryValue,
} from './http-client';
export { errorFromResponse, readErrorBody, type ErrorBodyFields } from './http-errors';
export { messageKind, type KindField, type MessageKind, type MessageOfKind } from './message-kind';
export type { NetworkOptions, OnlineEventTarget } from './network';
export type { RequestOptions } from './pending-requests';
export { ReconnectingSocket, createSocket } from './reconnecting-socket';
export type { DropReason } from './send-queue';
export type { UploadProgress } from './xhr';
export type {
  CloseInfo,
  DroppedMessage,
  InvalidMessage,
  ReconnectInfo,
  SocketEvents,
  SocketOptions,
  SocketState,
  StateChange,
} from './socket-types';
export {
  TokenManager,
  type Credentials,
  type TokenManagerOptions,
  type TokenSet,
} from './token-manager';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like';
