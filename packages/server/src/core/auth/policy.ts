/**
 * Route and channel authorization: one decision per AuthPolicy (see `@marquee/sdk` protocol).
 * Missing identity is UNAUTHORIZED (401, sign in); an identity that is not enough is FORBIDDEN
 * (403, signing in again will not help).
 */
import { MarqueeError } from '@marquee/sdk';
import { type AuthPolicy } from '@marquee/sdk/protocol';
import type { Role } from '../store/types';
import { type Identity } from './types';

/** The scope that grants a display token every surface. */
export const ALL_SCOPES = '*';

/**
 * Core routes open to displays (who am I) describe the token itself, not a surface's data, so
 * any valid display token may call them.
 */
export const CORE_SCOPE = 'core';

/** Roles that may read every dashboard (and so pass a `display` route without a token). */
const READERS: ReadonlySet<Role> = new Set(['admin', 'operator', 'viewer']);
const OPERATORS: ReadonlySet<Role> = new Set(['admin', 'operator']);
/** A device account acts as its own devices; operators and admins as any (checked by signage). */
const DEVICE_ACTORS: ReadonlySet<Role> = new Set(['admin', 'operator', 'device']);

/** The roles a policy lets in; undefined for `none`, `any`, `display` (tokens) and `proxy`. */
const ROLES_OF: Partial<Record<AuthPolicy, ReadonlySet<Role>>> = {
  user: new Set(['admin', 'operator', 'viewer', 'device']),
  display: READERS,
  viewer: READERS,
  operator: OPERATORS,
  admin: new Set(['admin']),
  device: DEVICE_ACTORS,
};

/**
 * Throws unless `identity` satisfies `policy` (see `AuthPolicy` in the SDK for what each means).
 * - `display` also lets in a display token whose scopes hold `scope` or `*`. Without a `scope`
 *   only `*` tokens pass: an unscoped route fails closed rather than open to every display.
 *   Scope `core` (identity routes) accepts every display token.
 * - `device`: the surface then matches the device's own `sn_number`.
 * - `proxy`: always FORBIDDEN here; seed 004's proxy token is checked by the GPU surface.
 */
export function authorize(
  policy: AuthPolicy,
  identity: Identity | undefined,
  scope?: string,
): void {
  if (policy === 'none') return;
  if (identity === undefined) throw new MarqueeError('UNAUTHORIZED', 'Authentication required');
  if (policy === 'any') return;
  if (identity.kind === 'user') {
    if (ROLES_OF[policy]?.has(identity.role)) return;
  } else if (policy === 'display' && displayMay(identity.scopes, scope)) {
    return;
  }
  throw new MarqueeError('FORBIDDEN', 'Insufficient permissions');
}

function displayMay(scopes: readonly string[], scope: string | undefined): boolean {
  return (
    scopes.includes(ALL_SCOPES) ||
    scope === CORE_SCOPE ||
    (scope !== undefined && scopes.includes(scope))
  );
}

/**
 * Operators and admins: they act as any signage device and control any playback session, where
 * other users act on their own only.
 */
export function isOperator(role: Role): boolean {
  return OPERATORS.has(role);
}
