/**
 * Pairing (Marquee extension of seed 002): how a TV with no credentials gets its own device
 * account without anybody typing a password on a remote control.
 *
 * 1. The TV asks for a code: `POST /api/v1/cloud/pairing/` → `{code, id, secret, expires_in,
 *    poll_interval}`; it shows `code` on screen and keeps `secret` to itself.
 * 2. An operator approves the code with the TV's serial and a name:
 *    `POST /api/v1/admin/cloud/pairing/{code}/approve/` (or rejects it with `DELETE`).
 * 3. The TV polls `GET /api/v1/cloud/pairing/{id}/` with `Authorization: Bearer <secret>`
 *    (`?wait=` holds the request open until something changes, up to 30 s), and once approved
 *    receives `{username, password, sn_number}` exactly once; from then on it runs seed 002's
 *    flow with those credentials. The code on screen alone can never fetch them.
 *
 * Codes expire (MARQUEE_PAIRING_CODE_TTL_SECONDS), are single-use and rate-limited per address.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, positiveInt, queryInt } from '../primitives';
import { defineRoute, response } from '../tables';
import { SignageError } from './errors';

/** Characters of a code: no 0/O, 1/I/L, so it reads unambiguously off a TV across a room. */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A code as shown (`ABCD-EF23`); typed in any case, with or without the dash. */
export const PairingCode = z.pipe(
  z.pipe(
    z.string().check(z.trim()),
    z.transform((value) => value.toUpperCase().replace(/[\s-]/g, '')),
  ),
  z.string().check(z.regex(/^[A-HJKMNP-Z2-9]{8}$/, 'a pairing code is 8 letters and digits')),
);

const snNumber = z.string().check(z.minLength(1), z.maxLength(255));

/** `POST /cloud/pairing/` body; both fields only help the operator recognise the screen. */
export const PairingRequestBody = z
  .object({
    /** The serial the TV knows itself by, if any (the operator confirms or corrects it). */
    sn_number: z.optional(snNumber),
    /** A model or location hint shown beside the code. */
    hint: z.optional(z.string().check(z.maxLength(100))),
  })
  .register(z.globalRegistry, { id: 'SignagePairingRequestBody' });
export type PairingRequestBody = z.input<typeof PairingRequestBody>;

export const PairingStarted = z
  .object({
    /** Show this on screen: `ABCD-EF23`. */
    code: z.string(),
    /** Poll `GET /cloud/pairing/{id}/` with it. */
    id: z.string(),
    /** The bearer secret of the polls; never shown. */
    secret: z.string(),
    expires_in: positiveInt,
    /** Seconds between polls without `wait`. */
    poll_interval: positiveInt,
  })
  .register(z.globalRegistry, { id: 'SignagePairingStarted' });
export type PairingStarted = z.infer<typeof PairingStarted>;

export const PairingIdParams = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });

export const PairingPollQuery = z.object({
  /** Hold the request open up to this many seconds until the pairing changes. @default 0 */
  wait: z.optional(queryInt(0, 30)),
});

/** What a poll answers: still pending, or approved with the device's credentials (once). */
export const PairingStatus = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('pending'), expires_in: nonNegativeInt }),
    z.object({
      status: z.literal('approved'),
      sn_number: z.string(),
      name: z.string(),
      /** The device account; sign in with `POST /auth/token/` as seed 002 does. */
      username: z.string(),
      /** Shown this once; the server keeps only its hash. */
      password: z.string(),
    }),
  ])
  .register(z.globalRegistry, { id: 'SignagePairingStatus' });
export type PairingStatus = z.infer<typeof PairingStatus>;

export const PendingPairing = z
  .object({
    code: z.string(),
    sn_number: z.nullable(z.string()),
    hint: z.nullable(z.string()),
    /** The address the request came from, to tell two screens apart. */
    ip: z.string(),
    created_at: isoDateTime,
    expires_at: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignagePendingPairing' });
export type PendingPairing = z.infer<typeof PendingPairing>;

export const PendingPairingList = z
  .object({ count: nonNegativeInt, results: z.array(PendingPairing) })
  .register(z.globalRegistry, { id: 'SignagePendingPairingList' });
export type PendingPairingList = z.infer<typeof PendingPairingList>;

export const PairingCodeParams = z.object({ code: PairingCode });

export const ApprovePairing = z
  .object({
    sn_number: snNumber,
    /** What the fleet calls this screen (`Lobby left`). */
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  })
  .register(z.globalRegistry, { id: 'SignageApprovePairing' });
export type ApprovePairing = z.infer<typeof ApprovePairing>;

export const ApprovedPairing = z
  .object({ code: z.string(), sn_number: z.string(), name: z.string(), username: z.string() })
  .register(z.globalRegistry, { id: 'SignageApprovedPairing' });
export type ApprovedPairing = z.infer<typeof ApprovedPairing>;

const err = (description: string) => response(description, SignageError);
const rateLimited = err('Too many pairing requests from this address; `Retry-After` says when');
const unknown = err('No such pairing: unknown, expired, rejected or already delivered');

export const pairingRoutes = [
  defineRoute({
    id: 'signage.pairingStart',
    method: 'POST',
    path: '/api/v1/cloud/pairing/',
    summary: 'A TV without credentials asks for a pairing code to show on screen',
    auth: 'none',
    body: PairingRequestBody,
    bodyKind: 'json',
    rateLimit: { max: 10, windowSeconds: 60, per: 'ip' },
    extension: true,
    responses: {
      201: response('The code to show and the secret to poll with', PairingStarted),
      400: err('Malformed body'),
      429: rateLimited,
      503: err('Too many pairings are pending; try again later'),
    },
  }),
  defineRoute({
    id: 'signage.pairingPoll',
    method: 'GET',
    path: '/api/v1/cloud/pairing/{id}/',
    summary:
      'The TV polls its pairing with `Authorization: Bearer <secret>`; once approved it receives its credentials, once',
    auth: 'none',
    params: PairingIdParams,
    query: PairingPollQuery,
    rateLimit: { max: 120, windowSeconds: 60, per: 'ip' },
    extension: true,
    responses: {
      200: response('Pending, or approved with the device credentials', PairingStatus),
      400: err('Malformed id or wait'),
      401: err("No secret, or not this pairing's"),
      404: unknown,
      429: rateLimited,
    },
  }),
  defineRoute({
    id: 'signage.pairingList',
    method: 'GET',
    path: '/api/v1/admin/cloud/pairing/',
    summary: 'Pending pairing codes, oldest first',
    auth: 'operator',
    extension: true,
    responses: {
      200: response('Codes waiting for approval', PendingPairingList),
      401: err('Missing or invalid token'),
      403: err('Not an operator or admin'),
    },
  }),
  defineRoute({
    id: 'signage.pairingApprove',
    method: 'POST',
    path: '/api/v1/admin/cloud/pairing/{code}/approve/',
    summary:
      "Approve a code: the serial's device account is created (or its password rotated, revoking the old screen) and bound to that serial",
    auth: 'operator',
    params: PairingCodeParams,
    body: ApprovePairing,
    bodyKind: 'json',
    extension: true,
    responses: {
      200: response('Approved; the TV receives its credentials on its next poll', ApprovedPairing),
      400: err('Malformed code, serial or name'),
      401: err('Missing or invalid token'),
      403: err('Not an operator or admin'),
      404: unknown,
      409: err("The serial's account name is taken by an account that is not a device"),
    },
  }),
  defineRoute({
    id: 'signage.pairingReject',
    method: 'DELETE',
    path: '/api/v1/admin/cloud/pairing/{code}/',
    summary: 'Reject a code; the TV learns it on its next poll (404) and may ask for a new one',
    auth: 'operator',
    params: PairingCodeParams,
    extension: true,
    responses: {
      204: response('Rejected', null),
      400: err('Malformed code'),
      401: err('Missing or invalid token'),
      403: err('Not an operator or admin'),
      404: unknown,
    },
  }),
] as const;
