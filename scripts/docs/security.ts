/**
 * How each auth policy of the route and channel tables appears in the documents. Users present a
 * Bearer access token (JWT) or the browser session cookie; display, device and proxy tokens are
 * Bearer tokens too. OpenAPI 3.1 lets a non-OAuth requirement list role names, which carry the
 * policy (the roles `viewer`, `operator`, `admin`, `device`, and `display` for display tokens); AsyncAPI 3.0 has no such field, so channels add
 * `x-marquee-auth`.
 */
import type { AuthPolicy } from '../../packages/sdk/src/protocol/common';
import type { JsonObject } from './json';

/** Name of the browser session cookie as the docs state it. */
export const SESSION_COOKIE = 'marquee_session';

const bearerDescription =
  'Access token (JWT) from the token endpoints; display, device and proxy tokens are sent the same way.';
const cookieDescription = 'Browser session cookie set by the sign-in route.';

export function openApiSecuritySchemes(): JsonObject {
  return {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: bearerDescription,
    },
    cookieAuth: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: cookieDescription,
    },
  };
}

export function asyncApiSecuritySchemes(): JsonObject {
  return {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: bearerDescription,
    },
    cookieAuth: {
      type: 'httpApiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: cookieDescription,
    },
  };
}

/** OpenAPI security requirements: any one of the listed alternatives grants access. */
export function openApiSecurity(policy: AuthPolicy): JsonObject[] {
  switch (policy) {
    case 'none':
      return [];
    case 'any':
    case 'user':
      return [{ bearerAuth: [] }, { cookieAuth: [] }];
    case 'display':
      return [{ bearerAuth: ['display', 'viewer'] }, { cookieAuth: ['viewer'] }];
    case 'viewer':
    case 'operator':
    case 'admin':
      return [{ bearerAuth: [policy] }, { cookieAuth: [policy] }];
    case 'device':
      return [{ bearerAuth: ['device', 'operator'] }];
    case 'proxy':
      return [{ bearerAuth: ['proxy'] }];
  }
}

/** The AsyncAPI schemes (by reference) a client may use under `policy`. */
export function asyncApiSecurity(policy: AuthPolicy): JsonObject[] {
  const bearer = { $ref: '#/components/securitySchemes/bearerAuth' };
  const cookie = { $ref: '#/components/securitySchemes/cookieAuth' };
  switch (policy) {
    case 'none':
      return [];
    case 'any':
    case 'user':
    case 'display':
    case 'viewer':
    case 'operator':
    case 'admin':
      return [bearer, cookie];
    case 'device':
    case 'proxy':
      return [bearer];
  }
}

/** One line for the README. */
export function describePolicy(policy: AuthPolicy): string {
  switch (policy) {
    case 'none':
      return 'none';
    case 'any':
      return 'any credential (user or display token)';
    case 'user':
      return 'any user, device accounts included (Bearer or cookie)';
    case 'display':
      return 'display token of this surface, or viewer, operator, admin';
    case 'viewer':
      return 'viewer, operator or admin';
    case 'operator':
      return 'operator or admin';
    case 'admin':
      return 'admin';
    case 'device':
      return 'device account (its own devices), or operator, admin';
    case 'proxy':
      return 'proxy token';
  }
}
