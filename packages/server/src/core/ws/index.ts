/** The WebSocket layer every surface shares: gateway (upgrade, auth, limits), connection, hub. */
export { clientIp, compileTrust, requestHost, type TrustFn } from './client-ip';
export { Connection, type CloseInfo, type ConnectionOptions } from './connection';
export {
  createWsGateway,
  type ChannelHandler,
  type WsGateway,
  type WsGatewayConfig,
  type WsGatewayOptions,
  type WsGatewayStats,
} from './gateway';
export type { TrafficStats } from './traffic';
export { createHub, type Hub, type HubOptions, type HubSubscriber } from './hub';
export type { WsLogger } from './logger';
