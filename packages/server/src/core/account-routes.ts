/**
 * The accounts routes (SDK `protocol/accounts.ts`): the admin API for users and one's own
 * password. What a change revokes (tokens, sessions, sockets) is the auth service's business
 * (`auth/users.ts`); these handlers only translate between the API's shapes and the records.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { credentialsFromRequest, type AuthService } from './auth';
import { mountRoutes, noContent, Status, type Authenticator } from './routes';
import type { UserRecord } from './store';

export function toUser(record: UserRecord): protocol.core.User {
  return {
    id: record.id,
    username: record.username,
    role: record.role,
    disabled: record.disabledAt !== null,
    created_at: record.createdAt,
    disabled_at: record.disabledAt,
  };
}

export interface AccountRoutesOptions {
  readonly auth: AuthService;
  readonly authenticate: Authenticator;
  readonly validateResponses: boolean;
}

export function mountAccountRoutes(app: FastifyInstance, options: AccountRoutesOptions): void {
  const { users } = options.auth;
  mountRoutes(app, protocol.core.accountRoutes, {
    surface: protocol.core.coreSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers: {
      'core.userList': async ({ query }) => {
        const list = await users.list(query.role === undefined ? {} : { role: query.role });
        return { count: list.length, results: list.map(toUser) };
      },
      'core.userCreate': async ({ body }) => {
        const { user, password } = await users.create({
          username: body.username,
          role: body.role,
          ...(body.password === undefined ? {} : { password: body.password }),
        });
        return new Status(201, {
          ...toUser(user),
          ...(password === undefined ? {} : { password }),
        });
      },
      'core.userGet': async ({ params }) => toUser(await users.get(params.id)),
      'core.userUpdate': async ({ params, body }) => {
        const { role, password, disabled } = body;
        return toUser(
          await users.update(params.id, {
            ...(role === undefined ? {} : { role }),
            ...(password === undefined ? {} : { password }),
            ...(disabled === undefined ? {} : { disabled }),
          }),
        );
      },
      'core.userDelete': async ({ params }) => {
        await users.remove(params.id);
        return noContent();
      },
      'core.passwordChange': async ({ body, identity, request }) => {
        if (identity?.kind !== 'user') {
          throw new MarqueeError('FORBIDDEN', 'A display token has no password');
        }
        // A browser that changes its password stays signed in; the rest of the account is ended.
        const { cookie, bearer } = credentialsFromRequest(request.headers);
        await users.changeOwnPassword(
          identity.userId,
          body.current_password,
          body.new_password,
          bearer === undefined ? cookie : undefined,
        );
        return noContent();
      },
    },
  });
}
