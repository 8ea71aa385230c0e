/**
 * What every signage route module shares: mounting on the signage surface (its error shape, the
 * auth service, response checks), the `{ count, results }` list answer and the NOT_FOUND
 * "<what> not found" of a missing record.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { mountRoutes, type Authenticator, type HandlerMap } from '../../core/routes';
import type { SignageDeviceRecord, SignageRepositories } from './store';

/** The options every signage route module is given (`mount.ts` builds them once). */
export interface SignageRouteOptions {
  readonly store: SignageRepositories;
  readonly authenticate: Authenticator;
  /** Unix ms. */
  readonly now: () => number;
  readonly validateResponses: boolean;
}

/** Mounts `routes` (picked from a signage table) with their handlers on the signage surface. */
export function mountSignageRoutes<Routes extends readonly protocol.RouteDef[]>(
  app: FastifyInstance,
  routes: Routes,
  options: Pick<SignageRouteOptions, 'authenticate' | 'validateResponses'>,
  handlers: HandlerMap<NoInfer<Routes>>,
): void {
  mountRoutes(app, routes, {
    surface: protocol.signage.signageSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers,
  });
}

/** The admin API's list answer. */
export function listOf<T>(results: T[]): { count: number; results: T[] } {
  return { count: results.length, results };
}

/** NOT_FOUND with the seed's wording: `notFound(\`Media ${id}\`)` is "Media 3 not found". */
export function notFound(what: string): MarqueeError {
  return new MarqueeError('NOT_FOUND', `${what} not found`);
}

/** `record`, or a NOT_FOUND for `what` when there is none. */
export function found<T>(record: T | undefined, what: string): T {
  if (record === undefined) throw notFound(what);
  return record;
}

/** The registered device `snNumber`; NOT_FOUND "Device <sn> not found" when there is none. */
export async function findDevice(
  store: SignageRepositories,
  snNumber: string,
): Promise<SignageDeviceRecord> {
  return found(await store.devices.find(snNumber), `Device ${snNumber}`);
}
