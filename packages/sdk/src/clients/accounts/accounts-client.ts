/**
 * The accounts client (core surface, Marquee extension): browser sign-in with the HttpOnly
 * session cookie, who is signed in, one's own password, and for admins the users and the
 * read-only display tokens.
 *
 * In a browser on the server's own origin, leave `token` out: `fetch` sends the session cookie
 * that `signIn` set, and the server checks the page's Origin on every change. Elsewhere (Node,
 * scripts) pass an access token; `signIn` then only proves the password, since Node's fetch
 * keeps no cookies. Answers are validated with the core protocol's schemas; errors arrive as
 * MarqueeError with the server's `{message, status_code}` read back.
 */
import type * as z from 'zod';
import {
  ChangePassword,
  CreatedDisplayToken,
  CreatedUser,
  DisplayTokenList,
  SessionInfo,
  User,
  UserList,
  CreateDisplayToken,
  type CreateUser,
  type DisplayToken,
  type Role,
  type UpdateUser,
} from '../../protocol/core';
import type { LoginBody } from '../../protocol/signage/auth';
import { signageErrorShape } from '../../protocol/signage/errors';
import { createHttpClient, type HttpClient } from '../../transport/http-client';
import { fillPath } from '../signage-admin/routes';
import { ACCOUNT_ROUTES } from './routes';

export interface AccountsClientOptions {
  /**
   * The server's origin (plus a prefix, if any); `''` in a page served by the server itself.
   */
  readonly baseUrl: string;
  /**
   * An access token, or a function read before every request. Left out, requests carry only
   * what the browser adds (the session cookie).
   * @default undefined
   */
  readonly token?: string | (() => string | undefined | Promise<string | undefined>);
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one request.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

/** A display token as created: `token` is the secret, shown this once. */
export type CreatedDisplayTokenInfo = DisplayToken & { readonly token: string };

export class AccountsClient {
  readonly #http: HttpClient;

  constructor(options: AccountsClientOptions) {
    const { token } = options;
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#http = createHttpClient({
      baseUrl: options.baseUrl,
      fetch: fetchImpl,
      errorShape: signageErrorShape,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(token === undefined
        ? {}
        : {
            auth: {
              getAccessToken: async () => (typeof token === 'function' ? token() : token),
              refresh: () => Promise.resolve(),
            },
          }),
    });
  }

  // Session

  /** `POST /api/v1/auth/session/`: signs in; the answer's Set-Cookie holds the session. */
  signIn(credentials: LoginBody): Promise<SessionInfo> {
    const { method, path } = ACCOUNT_ROUTES.sessionLogin;
    return this.#http.request({
      method,
      path,
      body: credentials,
      auth: false,
      schema: SessionInfo,
    });
  }

  /** `DELETE /api/v1/auth/session/`: ends the session and clears the cookie. */
  async signOut(): Promise<void> {
    const { method, path } = ACCOUNT_ROUTES.sessionLogout;
    await this.#http.request({ method, path, auth: false });
  }

  /** `GET /api/v1/auth/me/`: who the presented credentials belong to (401 when none). */
  me(): Promise<SessionInfo> {
    const { method, path } = ACCOUNT_ROUTES.me;
    return this.#http.request({ method, path, schema: SessionInfo });
  }

  /** `POST /api/v1/auth/password/`: one's own password; other sessions and tokens end. */
  async changePassword(input: ChangePassword): Promise<void> {
    const { method, path } = ACCOUNT_ROUTES.passwordChange;
    await this.#http.request({ method, path, body: ChangePassword.parse(input) });
  }

  // Users (admin)

  /** `GET /api/v1/admin/users/`, optionally one role only. */
  listUsers(role?: Role): Promise<UserList> {
    const { method, path } = ACCOUNT_ROUTES.userList;
    return this.#http.request({ method, path, query: { role }, schema: UserList });
  }

  /** `POST /api/v1/admin/users/`; without a password the answer carries a generated one. */
  createUser(input: CreateUser): Promise<CreatedUser> {
    const { method, path } = ACCOUNT_ROUTES.userCreate;
    return this.#http.request({ method, path, body: input, schema: CreatedUser });
  }

  /** `PATCH /api/v1/admin/users/{id}/`: role, password or disabled. */
  updateUser(id: number, input: UpdateUser): Promise<User> {
    const { method, path } = ACCOUNT_ROUTES.userUpdate;
    return this.#http.request({ method, path: fillPath(path, { id }), body: input, schema: User });
  }

  /** `DELETE /api/v1/admin/users/{id}/`. */
  async deleteUser(id: number): Promise<void> {
    const { method, path } = ACCOUNT_ROUTES.userDelete;
    await this.#http.request({ method, path: fillPath(path, { id }) });
  }

  // Display tokens (admin)

  /** `GET /api/v1/admin/display-tokens/`: every token, revoked ones included, no secrets. */
  async listDisplayTokens(): Promise<readonly DisplayToken[]> {
    const { method, path } = ACCOUNT_ROUTES.displayTokenList;
    return (await this.#http.request({ method, path, schema: DisplayTokenList })).tokens;
  }

  /**
   * `POST /api/v1/admin/display-tokens/`: the answer's `token` is the secret, shown once. Input
   * the schema refuses rejects before anything is sent.
   */
  async createDisplayToken(
    input: z.input<typeof CreateDisplayToken>,
  ): Promise<CreatedDisplayTokenInfo> {
    const { method, path } = ACCOUNT_ROUTES.displayTokenCreate;
    return this.#http.request({
      method,
      path,
      body: CreateDisplayToken.parse(input),
      schema: CreatedDisplayToken,
    });
  }

  /** `DELETE /api/v1/admin/display-tokens/{id}/`: its open sockets close at once. */
  async revokeDisplayToken(id: string): Promise<void> {
    const { method, path } = ACCOUNT_ROUTES.displayTokenRevoke;
    await this.#http.request({ method, path: fillPath(path, { id }) });
  }
}

/** Creates an accounts client. */
export function createAccountsClient(options: AccountsClientOptions): AccountsClient {
  return new AccountsClient(options);
}
