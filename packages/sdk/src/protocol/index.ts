/**
 * The protocol module: every request, response and WebSocket message of the five seed surfaces
 * as zod schemas, plus each surface's route and channel table.
 */
export {
  defineChannel,
  defineRoute,
  defineSurface,
  servedPart,
  hexColor,
  isoDateTime,
  nonNegativeInt,
  percent,
  positiveInt,
  queryBoolean,
  queryInt,
  response,
  unixSeconds,
  type AuthPolicy,
  type BodyKind,
  type ChannelDef,
  type ErrorFields,
  type ErrorShape,
  type HttpMethod,
  type RateLimitDef,
  type ResponseDef,
  type RouteDef,
  type SurfaceDef,
} from './common';
export { CloseCodes, isRetryableClose, type CloseCode } from './close-codes';
export * as core from './core';
export * as nowPlaying from './now-playing';
export * as playback from './playback';
export * as mediaStack from './media-stack';
export * as signage from './signage';
export * as monitoring from './monitoring';
export * as gpu from './gpu';
export * as media from './media';
export * as history from './history';
export * as mqtt from './mqtt';
export { surfaces } from './surfaces';
