/**
 * Route and channel authorization: one decision per AuthPolicy (see `@marquee/sdk` protocol).
 * Missing identity is UNAUTHORIZED (401, sign in); an identity that is not enough is FORBIDDEN
 * (403, signing in again will not help).
 */
import { MarqueeError } from '@marquee/sdk';
import { type AuthPolicy } from '@marquee/sdk/protocol';
import { type Identity } from './types';

/** The scope that grants a display token every surface. */
export const ALL_SCOPES = '*';

/**
 * Core routes open to displays (who am I) describe the token itself, not a surface's data, so
 * any valid display token may call them.
 */
export const CORE_SCOPE = 'core';

/**
 * Throws unless `identity` satisfies `policy`.
 * - `none`: anyone, signed in or not.
 * - `user`: any user identity (admin or not); display tokens are read-only and are refused.
 * - `admin`: a user with role `admin`.
 * - `display`: any user, or a display token whose scopes hold `scope` or `*`. Without a `scope`
 *   only `*` tokens pass: an unscoped route fails closed rather than open to every display.
 *   Scope `core` (identity routes) accepts every display token.
 * - `device`: any user for now, because seed 002's TVs sign in with a user's JWT; the signage
 *   surface then matches the device's own `sn_number`.
 * - `proxy`: always FORBIDDEN here; seed 004's proxy token is checked by the GPU surface.
 */
export function authorize(
  policy: AuthPolicy,
  identity: Identity | undefined,
  scope?: string,
): void {
  if (policy === 'none') return;
  if (identity === undefined) throw new MarqueeError('UNAUTHORIZED', 'Authentication required');
  switch (policy) {
    case 'user':
    case 'device':
      if (identity.kind === 'user') return;
      break;
    case 'admin':
      if (identity.kind === 'user' && identity.role === 'admin') {
        return;
      }
      break;
    case 'display':
      if (identity.kind === 'user') return;
      if (
        identity.scopes.includes(ALL_SCOPES) ||
        scope === CORE_SCOPE ||
        (scope !== undefined && identity.scopes.includes(scope))
      ) {
        return;
      }
      break;
    case 'proxy':
      break;
  }
  throw new MarqueeError('FORBIDDEN', 'Insufficient permissions');
}
