/**
 * Registers a surface's routes straight from the SDK's route table: path, method, auth policy and
 * the zod schemas of params, query and body all come from the table, so a route cannot drift from
 * the protocol. A route in the table without a handler is a start-up error, not a silent 404; a
 * route with a `rateLimit` is counted as rate-limit/route-limits.ts describes.
 */
import { MarqueeError, type protocol } from '@marquee/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { Identity } from './auth/types';
import { isFormBody } from './body-parsers';
import { sendError, validationError } from './http-errors';
import { parseClientInput } from './parse-input';
import { routeLimiter } from './rate-limit/route-limits';

// Table schemas are zod core types (classic or zod/mini), so parse with zod's functions, not methods.
type Input<T> = T extends z.core.$ZodType ? z.output<T> : undefined;

/** What a handler receives: validated inputs plus the caller's identity. */
export interface RouteContext<R extends protocol.RouteDef> {
  readonly params: Input<R['params']>;
  readonly query: Input<R['query']>;
  readonly body: Input<R['body']>;
  /** Set for every policy but `none` (and for `none` when credentials were sent). */
  readonly identity: Identity | undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** Marks a result with an explicit status (e.g. 201 vs 200 on register). */
export class Status<T = unknown> {
  constructor(
    readonly code: number,
    readonly body: T,
  ) {}
}

/** The empty 204 answer (deletes, logout). */
export const noContent = (): Status<undefined> => new Status(204, undefined);

/**
 * A handler returns the JSON body, sent with the first documented 2xx status, or a `Status` for
 * an explicit one; it may also send the reply itself (files, streams).
 */
export type RouteHandler<R extends protocol.RouteDef> = (ctx: RouteContext<R>) => unknown;

export type HandlerMap<Routes extends readonly protocol.RouteDef[]> = {
  [Id in Routes[number]['id']]: RouteHandler<Extract<Routes[number], { id: Id }>>;
};

/** Resolves the caller; the auth service supplies it. */
export type Authenticator = (
  request: FastifyRequest,
  policy: protocol.AuthPolicy,
  scope: string,
) => Promise<Identity | undefined>;

export interface MountOptions<Routes extends readonly protocol.RouteDef[]> {
  readonly surface: protocol.SurfaceDef;
  readonly handlers: HandlerMap<Routes>;
  readonly authenticate: Authenticator;
  /** Check responses against their schemas (on in tests, to catch drift). @default false */
  readonly validateResponses?: boolean;
}

/** `/api/x/{id}/stop` → `/api/x/:id/stop` */
export function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

export function mountRoutes<Routes extends readonly protocol.RouteDef[]>(
  app: FastifyInstance,
  routes: Routes,
  options: MountOptions<NoInfer<Routes>>,
): void {
  const { surface, authenticate } = options;
  const handlers = options.handlers as Record<string, RouteHandler<protocol.RouteDef> | undefined>;
  for (const route of routes) {
    const handler = handlers[route.id];
    if (!handler)
      throw new Error(`No handler for route ${route.id} (${route.method} ${route.path})`);
    const successStatus = Object.keys(route.responses)
      .map(Number)
      .find((s) => s >= 200 && s < 300);
    // Per-address limits run before anything else; per-user ones once the caller is known.
    const limiter = routeLimiter(app, route);
    const perUser = limiter?.per === 'user' ? limiter : undefined;
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      errorHandler: (error, request, reply) => sendError(request, reply, surface.errorShape, error),
      ...(limiter?.per === 'ip' && {
        onRequest: (request, reply) => limiter.check(request, reply),
      }),
      handler: async (request, reply) => {
        if (route.bodyKind !== 'json-or-form' && isFormBody(request.headers['content-type'])) {
          throw new MarqueeError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type');
        }
        const identity = await authenticate(request, route.auth, surface.name);
        await perUser?.check(request, reply, identity);
        const params = parseInput(route.params, request.params, 'params');
        const query = parseInput(route.query, request.query, 'query');
        const body =
          route.bodyKind === 'multipart' ? undefined : parseInput(route.body, request.body, 'body');
        const ctx = {
          params,
          query,
          body,
          identity,
          request,
          reply,
        } as RouteContext<protocol.RouteDef>;
        const result: unknown = await handler(ctx);
        if (reply.sent) return reply;
        const status = result instanceof Status ? result.code : (successStatus ?? 200);
        const payload: unknown = result instanceof Status ? result.body : result;
        if (options.validateResponses) checkResponse(route, status, payload);
        return reply.code(status).send(payload);
      },
    });
  }
}

function parseInput(
  schema: z.core.$ZodType | undefined,
  value: unknown,
  where: 'body' | 'query' | 'params',
): unknown {
  if (!schema) return undefined;
  if (where === 'body' && value === undefined) {
    throw new MarqueeError('BAD_REQUEST', 'A JSON body is required');
  }
  const parsed = parseClientInput(schema, value ?? {});
  if (!parsed.success) throw validationError(parsed.error, where);
  return parsed.data;
}

function checkResponse(route: protocol.RouteDef, status: number, payload: unknown): void {
  const documented = route.responses[status];
  if (!documented)
    throw new Error(`${route.id} answered ${status}, which its route table does not document`);
  if (documented.schema && payload !== undefined) {
    const parsed = z.safeParse(documented.schema, payload);
    if (!parsed.success) {
      throw new Error(
        `${route.id} ${status} response does not match its schema: ${parsed.error.message}`,
      );
    }
  }
}

/** The routes of a table with the given ids, typed, for mounting part of a surface. */
export function pickRoutes<
  const Routes extends readonly protocol.RouteDef[],
  const Id extends Routes[number]['id'],
>(routes: Routes, ids: readonly Id[]): ReadonlyArray<Extract<Routes[number], { id: Id }>> {
  const picked = routes.filter((r): r is Extract<Routes[number], { id: Id }> =>
    (ids as readonly string[]).includes(r.id),
  );
  if (picked.length !== ids.length) throw new Error(`Unknown route id among ${ids.join(', ')}`);
  return picked;
}
