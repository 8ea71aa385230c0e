/**
 * `marquee user --url`: the same commands through a running server's admin API (the SDK's
 * accounts routes), so the server revokes what the user holds and closes its sockets itself.
 * Signs in with an admin's access token (MARQUEE_TOKEN) or user name and password
 * (`POST /api/v1/auth/token/`, the SDK's TokenManager). The server's error messages (last admin,
 * name taken, not an admin) come back as MarqueeErrors and are printed as they are.
 */
import {
  createHttpClient,
  MarqueeError,
  protocol,
  TokenManager,
  type AuthProvider,
  type Credentials,
} from '@marquee/sdk';
import { noSuchUser, type UserBackend } from './backend';

type RouteId = (typeof protocol.core.accountRoutes)[number]['id'];

/** The path of an accounts route, from the SDK's table, with `{id}` filled in. */
function pathOf(id: RouteId, userId?: number): string {
  const route = protocol.core.accountRoutes.find((each) => each.id === id);
  if (route === undefined) throw new Error(`No route ${id}`);
  return route.path.replace('{id}', String(userId ?? ''));
}

export interface RemoteOptions {
  readonly url: string;
  /** An admin's access token (MARQUEE_TOKEN). */
  readonly token?: string;
  /** An admin's user name and password; preferred over `token` when both are given. */
  readonly credentials?: Credentials;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A fixed bearer token: nothing to refresh, so a 401 says what to do instead. */
function staticToken(token: string): AuthProvider {
  return {
    getAccessToken: () => Promise.resolve(token),
    refresh: () =>
      Promise.reject(
        new MarqueeError(
          'UNAUTHORIZED',
          'The server refused MARQUEE_TOKEN (expired, revoked or not an access token): ' +
            'sign in again, or use --username',
        ),
      ),
  };
}

export function remoteUsers(options: RemoteOptions): UserBackend {
  const { url } = options;
  let auth: AuthProvider;
  if (options.credentials !== undefined) {
    auth = new TokenManager({
      baseUrl: url,
      credentials: options.credentials,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } else if (options.token !== undefined) {
    auth = staticToken(options.token);
  } else {
    throw new Error('remoteUsers needs a token or credentials');
  }
  const http = createHttpClient({
    baseUrl: url,
    auth,
    errorShape: protocol.core.coreSurface.errorShape,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // A refused connection says "fetch failed": name the address tried. A 403 says who may.
  const reaching = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof MarqueeError && (error.code === 'NETWORK' || error.code === 'TIMEOUT')) {
        const cause = error.cause instanceof Error ? error.cause.cause : undefined;
        const why = cause instanceof Error ? cause.message : error.message;
        throw new MarqueeError(error.code, `Cannot reach a Marquee server at ${url}: ${why}`, {
          cause: error,
        });
      }
      if (error instanceof MarqueeError && error.status === 403) {
        throw new MarqueeError(error.code, `${error.message}: managing users takes an admin`, {
          cause: error,
        });
      }
      throw error;
    }
  };
  const list = (role?: protocol.core.User['role']) =>
    reaching(async () => {
      const answer = await http.request({
        path: pathOf('core.userList'),
        query: { role },
        schema: protocol.core.UserList,
      });
      return answer.results;
    });

  return {
    list,
    async find(username) {
      // Names are unique ignoring case in the store, and the API has no lookup by name.
      const wanted = username.toLowerCase();
      const user = (await list()).find((each) => each.username.toLowerCase() === wanted);
      if (user === undefined) throw noSuchUser(username);
      return user;
    },
    create: (input) =>
      reaching(() =>
        http.request({
          method: 'POST',
          path: pathOf('core.userCreate'),
          body: input,
          schema: protocol.core.CreatedUser,
        }),
      ),
    update: (id, changes) =>
      reaching(() =>
        http.request({
          method: 'PATCH',
          path: pathOf('core.userUpdate', id),
          body: changes,
          schema: protocol.core.User,
        }),
      ),
    remove: (id) =>
      reaching(async () => {
        await http.request({ method: 'DELETE', path: pathOf('core.userDelete', id) });
      }),
    close: () => Promise.resolve(),
  };
}
