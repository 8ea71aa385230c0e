/**
 * The shapes of the per-surface route and channel tables. The server builds its routes from these
 * tables and the docs generator builds OpenAPI / AsyncAPI from them, so a route cannot drift from
 * its schemas.
 *
 * Schemas are typed as zod core types, which classic zod and zod/mini schemas both are, and this
 * file imports zod only as types: a client that needs one surface's table pulls in no zod code
 * through it.
 */
import type { $ZodObject, $ZodShape, $ZodType } from 'zod/v4/core';

/** HTTP methods used by the route tables. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route or open a channel. Users have one role: `admin` (everything, users
 * included), `operator` (fleet, media, playlists, commands, playback control, service restarts),
 * `viewer` (reads every dashboard) or `device` (a signage TV: only its own registration,
 * playlists, media, screenshots and socket). Display tokens are read-only and scoped per surface.
 *
 * - `none`: open (the seeds document several LAN endpoints without auth)
 * - `any`: any valid credential: a user of any role or a display token (who am I)
 * - `user`: a user of any role, devices included; display tokens are refused (own password)
 * - `display`: a display token scoped to the route's surface (or `*`), or a viewer, operator or
 *   admin: the read routes of the dashboards
 * - `viewer`: a viewer, operator or admin (reads that display tokens may not make)
 * - `operator`: an operator or admin (fleet, media, commands, playback control, restarts)
 * - `admin`: an admin (users, display tokens)
 * - `device`: a device account, acting as the devices it owns (the surface checks which), or an
 *   operator or admin acting as any device
 * - `proxy`: the GPU surface's optional proxy token (`PROXY_AUTH_TOKEN`)
 */
export type AuthPolicy =
  'none' | 'any' | 'user' | 'display' | 'viewer' | 'operator' | 'admin' | 'device' | 'proxy';

/**
 * How a request body is encoded. `json-or-form`: JSON, or `application/x-www-form-urlencoded`
 * read as an object of strings (the seed's token routes, as a Django REST Framework backend
 * takes them).
 */
export type BodyKind = 'json' | 'json-or-form' | 'multipart' | 'none';

/** Any schema, classic zod or zod/mini. */
export type Schema = $ZodType;

/** An object schema (params, query); classic and zod/mini objects both expose their `shape`. */
export type ObjectSchema = $ZodObject & { readonly shape: Readonly<$ZodShape> };

/** A documented response: the schema of its body (`null` for a body-less or binary response). */
export interface ResponseDef {
  readonly description: string;
  readonly schema: Schema | null;
  /** Content type when the body is not JSON (files, images, NDJSON). */
  readonly contentType?: string;
}

/**
 * A documented request limit: at most `max` requests per `windowSeconds`, counted per client
 * address (`ip`) or per caller (`user`: the signed-in user or display token; anonymous callers
 * count per address). Beyond it the server answers 429 `RATE_LIMITED` with `Retry-After`.
 */
export interface RateLimitDef {
  readonly max: number;
  readonly windowSeconds: number;
  readonly per: 'ip' | 'user';
  /**
   * Routes naming the same bucket share one counter (seed 003's 100 per minute covers its whole
   * API); they must declare the same limit. @default the route's id
   */
  readonly bucket?: string;
}

/** One REST route as a seed documents it. */
export interface RouteDef {
  /** Stable operation id, unique across all surfaces (used for OpenAPI operationId). */
  readonly id: string;
  readonly method: HttpMethod;
  /** Full path with `{param}` placeholders, as clients call it. */
  readonly path: string;
  readonly summary: string;
  readonly auth: AuthPolicy;
  readonly params?: ObjectSchema;
  readonly query?: ObjectSchema;
  readonly body?: Schema;
  readonly bodyKind?: BodyKind;
  /** Every documented status code, success and error alike. */
  readonly responses: Readonly<Record<number, ResponseDef>>;
  /** Marked when the route is Marquee's addition rather than the seed's. */
  readonly extension?: boolean;
  /**
   * Declared but not served by the server yet: left out of OpenAPI, AsyncAPI and the protocol
   * index until it is (the mounted-routes test checks every route without this mark).
   */
  readonly planned?: boolean;
  /** The limit the route's document sets; none when it sets none. */
  readonly rateLimit?: RateLimitDef;
}

/** One WebSocket channel: its path, query and the messages each side sends. */
export interface ChannelDef {
  readonly id: string;
  readonly path: string;
  readonly summary: string;
  readonly auth: AuthPolicy;
  readonly query?: ObjectSchema;
  /** Every message the server may send on this channel. */
  readonly serverMessages: Schema;
  /** Every message a client may send; absent where the channel is push-only. */
  readonly clientMessages?: Schema;
  readonly extension?: boolean;
  /** Declared but not served yet (see RouteDef.planned). */
  readonly planned?: boolean;
}

/** The fields one error carries, before a surface renders it in its documented shape. */
export interface ErrorFields {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

/**
 * A surface's documented error body: its schema, how the server renders an error into it and
 * how a client reads `code` and `message` back out of it.
 */
export interface ErrorShape {
  readonly schema: Schema;
  render(error: ErrorFields): unknown;
  /** Returns undefined when `body` is not in this surface's shape. */
  read(body: unknown): { code?: string; message: string; details?: unknown } | undefined;
}

/** One seed surface: the routes, channels and error shape a client may rely on. */
export interface SurfaceDef {
  /** A seed surface, or `core` for Marquee's own routes (health, sessions, display tokens). */
  readonly name: 'core' | 'now-playing' | 'media-stack' | 'signage' | 'monitoring' | 'gpu';
  readonly title: string;
  readonly seed: string;
  readonly description: string;
  readonly errorShape: ErrorShape;
  readonly routes: readonly RouteDef[];
  readonly channels: readonly ChannelDef[];
}

// Identity helpers that keep literal types while checking the shape. Marked free of side effects
// so a client that imports a schema from a surface file does not keep that surface's tables.

/* @__NO_SIDE_EFFECTS__ */
export function defineRoute<const R extends RouteDef>(route: R): R {
  return route;
}
/* @__NO_SIDE_EFFECTS__ */
export function defineChannel<const C extends ChannelDef>(channel: C): C {
  return channel;
}
/* @__NO_SIDE_EFFECTS__ */
export function defineSurface<const S extends SurfaceDef>(surface: S): S {
  return surface;
}

/** `surface` as it is served: without its planned routes and channels. */
export function servedPart(surface: SurfaceDef): SurfaceDef {
  return {
    ...surface,
    routes: surface.routes.filter((route) => route.planned !== true),
    channels: surface.channels.filter((channel) => channel.planned !== true),
  };
}

/** Shorthand for a response entry. */
/* @__NO_SIDE_EFFECTS__ */
export function response(
  description: string,
  schema: Schema | null,
  contentType?: string,
): ResponseDef {
  return contentType === undefined ? { description, schema } : { description, schema, contentType };
}
