/**
 * The accounts client's routes, each checked against the core surface's route tables at compile
 * time (method and path), so a moved route fails to compile here rather than 404 in a browser.
 */
import type { accountRoutes, coreRoutes } from '../../protocol/core';

type CoreRouteTable = (typeof coreRoutes)[number] | (typeof accountRoutes)[number];
type CoreRouteId = CoreRouteTable['id'];
type CoreRoute<Id extends CoreRouteId> = Extract<CoreRouteTable, { id: Id }>;

export interface CoreRouteRef<Id extends CoreRouteId> {
  readonly id: Id;
  readonly method: CoreRoute<Id>['method'];
  readonly path: CoreRoute<Id>['path'];
}

function route<Id extends CoreRouteId>(
  id: Id,
  method: CoreRoute<Id>['method'],
  path: CoreRoute<Id>['path'],
): CoreRouteRef<Id> {
  return { id, method, path };
}

export const ACCOUNT_ROUTES = {
  sessionLogin: route('core.sessionLogin', 'POST', '/api/v1/auth/session/'),
  sessionLogout: route('core.sessionLogout', 'DELETE', '/api/v1/auth/session/'),
  me: route('core.me', 'GET', '/api/v1/auth/me/'),
  passwordChange: route('core.passwordChange', 'POST', '/api/v1/auth/password/'),
  userList: route('core.userList', 'GET', '/api/v1/admin/users/'),
  userCreate: route('core.userCreate', 'POST', '/api/v1/admin/users/'),
  userUpdate: route('core.userUpdate', 'PATCH', '/api/v1/admin/users/{id}/'),
  userDelete: route('core.userDelete', 'DELETE', '/api/v1/admin/users/{id}/'),
  displayTokenCreate: route('core.displayTokenCreate', 'POST', '/api/v1/admin/display-tokens/'),
  displayTokenList: route('core.displayTokenList', 'GET', '/api/v1/admin/display-tokens/'),
  displayTokenRevoke: route(
    'core.displayTokenRevoke',
    'DELETE',
    '/api/v1/admin/display-tokens/{id}/',
  ),
} as const;
