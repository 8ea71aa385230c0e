/**
 * The pairing routes (SDK `protocol/signage/pairing.ts`): a screen starts a pairing and polls it
 * with its secret (no account yet: `none` policy, rate-limited per address by the table), and
 * operators list, approve and reject codes. The work is `Pairing`'s (pairing.ts).
 */
import { protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { credentialsFromRequest } from '../../core/auth';
import { noContent, Status } from '../../core/routes';
import type { Pairing } from './pairing';
import { mountSignageRoutes, type SignageRouteOptions } from './route-helpers';

export function mountPairingRoutes(
  app: FastifyInstance,
  options: Pick<SignageRouteOptions, 'authenticate' | 'validateResponses'> & {
    readonly pairing: Pairing;
  },
): void {
  const { pairing } = options;
  mountSignageRoutes(app, protocol.signage.pairingRoutes, options, {
    'signage.pairingStart': async ({ body, request }) =>
      new Status(201, await pairing.start(body, request.ip)),
    'signage.pairingPoll': ({ params, query, request }) =>
      pairing.poll(params.id, credentialsFromRequest(request.headers).bearer, query.wait ?? 0),
    'signage.pairingList': async () => {
      const results = await pairing.listPending();
      return { count: results.length, results };
    },
    'signage.pairingApprove': ({ params, body }) =>
      pairing.approve(params.code, body.sn_number, body.name),
    'signage.pairingReject': async ({ params }) => {
      await pairing.reject(params.code);
      return noContent();
    },
  });
}
