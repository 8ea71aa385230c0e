/**
 * JWT pair handling for the signage surface (seed 002): `POST /api/v1/auth/token/` with
 * `{ username, password }` and `POST /api/v1/auth/token/refresh/` with `{ refresh }`, both
 * answering `{ access, refresh, expires_in }`. The access token is refreshed shortly before it
 * expires and once after a 401; concurrent refreshes share one request. A rejected refresh token
 * signs in again when credentials were configured, otherwise it fails with UNAUTHORIZED.
 */
import { MarqueeError } from '../errors';
import { AuthModel, type LoginBody, type RefreshBody } from '../protocol/signage/auth';
import { signageErrorShape } from '../protocol/signage/errors';
import { type signageRoutes } from '../protocol/signage/surface';
import { createHttpClient, type AuthProvider, type HttpClient } from './http-client';

// Typed against the signage route table, so a renamed path fails to compile here.
type RoutePath<Id> = Extract<(typeof signageRoutes)[number], { id: Id }>['path'];
const LOGIN_PATH: RoutePath<'signage.login'> = '/api/v1/auth/token/';
const REFRESH_PATH: RoutePath<'signage.refresh'> = '/api/v1/auth/token/refresh/';

/** A token pair with its lifetime on the manager's clock (`now()`, milliseconds). */
export interface TokenSet {
  readonly access: string;
  readonly refresh: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface TokenManagerOptions {
  /** Server origin, e.g. `https://signage.example`; the paths below are appended. */
  readonly baseUrl: string;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Used to sign in when there is no token and again when the refresh token is rejected.
   * @default undefined (a rejected refresh token fails with UNAUTHORIZED)
   */
  readonly credentials?: Credentials | (() => Credentials | Promise<Credentials>);
  /**
   * A pair restored from storage.
   * @default undefined
   */
  readonly tokens?: TokenSet;
  /**
   * Told about every new pair and about `undefined` when the pair is cleared (persist it here).
   * @default undefined
   */
  readonly onTokens?: (tokens: TokenSet | undefined) => void;
  /** @default '/api/v1/auth/token/' */
  readonly loginPath?: string;
  /** @default '/api/v1/auth/token/refresh/' */
  readonly refreshPath?: string;
  /**
   * Refresh this long before the access token expires (at most half its lifetime, so a short
   * lived token is not refreshed on every call).
   * @default 300000 (5 minutes)
   */
  readonly refreshSkewMs?: number;
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Limit for one token request.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

export class TokenManager implements AuthProvider {
  readonly #options: TokenManagerOptions;
  readonly #http: HttpClient;
  readonly #now: () => number;
  #tokens: TokenSet | undefined;
  #inflight: Promise<void> | undefined;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.tokens;
    this.#http = createHttpClient({
      baseUrl: options.baseUrl,
      errorShape: signageErrorShape,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** The current pair, if any. */
  get tokens(): TokenSet | undefined {
    return this.#tokens;
  }

  /**
   * Signs in. Explicit credentials are used for this call only (a person typing a password);
   * without them the configured `credentials` are used. Fails with INVALID_CREDENTIALS.
   */
  login(credentials?: Credentials): Promise<void> {
    return this.#single(() => this.#login(credentials));
  }

  /** The access token, refreshed first when it is due; signs in first when there is none. */
  async getAccessToken(): Promise<string | undefined> {
    if (this.#inflight) await this.#inflight;
    const tokens = this.#tokens;
    if (!tokens) {
      if (!this.#options.credentials) return undefined;
      await this.#single(() => this.#login());
    } else if (this.#due(tokens)) {
      await this.#single(() => this.#refresh());
    }
    return this.#tokens?.access;
  }

  /**
   * Refreshes the pair, or joins the token request already in flight. `rejected` is the access
   * token a server just refused: when the manager already holds a newer one (another request
   * refreshed meanwhile), nothing is requested.
   */
  refresh(rejected?: string): Promise<void> {
    if (this.#inflight) return this.#inflight;
    if (rejected !== undefined && this.#tokens && this.#tokens.access !== rejected) {
      return Promise.resolve();
    }
    return this.#single(() => this.#refresh());
  }

  /** Forgets the pair (sign out). */
  clear(): void {
    this.#set(undefined);
  }

  /** Runs one token request at a time; callers arriving meanwhile share its outcome. */
  #single(run: () => Promise<void>): Promise<void> {
    this.#inflight ??= run().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  #due(tokens: TokenSet): boolean {
    const lifetime = tokens.expiresAt - tokens.issuedAt;
    const skew = Math.min(this.#options.refreshSkewMs ?? 300_000, lifetime / 2);
    return this.#now() >= tokens.expiresAt - skew;
  }

  async #login(explicit?: Credentials): Promise<void> {
    const configured = this.#options.credentials;
    const credentials =
      explicit ?? (typeof configured === 'function' ? await configured() : configured);
    if (!credentials) {
      throw new MarqueeError('UNAUTHORIZED', 'Not signed in and no credentials configured', {
        status: 401,
      });
    }
    const body: LoginBody = { username: credentials.username, password: credentials.password };
    try {
      this.#store(
        await this.#http.request({
          method: 'POST',
          path: this.#options.loginPath ?? LOGIN_PATH,
          body,
          schema: AuthModel,
        }),
      );
    } catch (error) {
      if (error instanceof MarqueeError && (error.status === 400 || error.status === 401)) {
        throw new MarqueeError('INVALID_CREDENTIALS', error.message, {
          status: error.status,
          body: error.body,
          cause: error,
        });
      }
      throw error;
    }
  }

  async #refresh(): Promise<void> {
    const tokens = this.#tokens;
    if (!tokens) return this.#signInAgain();
    const body: RefreshBody = { refresh: tokens.refresh };
    try {
      this.#store(
        await this.#http.request({
          method: 'POST',
          path: this.#options.refreshPath ?? REFRESH_PATH,
          body,
          schema: AuthModel,
        }),
      );
    } catch (error) {
      // Only a rejected refresh token ends the session; network errors keep the pair.
      if (!(error instanceof MarqueeError && error.status === 401)) throw error;
      this.#set(undefined);
      return this.#signInAgain(error);
    }
  }

  #signInAgain(cause?: unknown): Promise<void> {
    if (this.#options.credentials) return this.#login();
    return Promise.reject(
      new MarqueeError('UNAUTHORIZED', 'The session expired; sign in again', {
        status: 401,
        cause,
      }),
    );
  }

  #store(response: AuthModel): void {
    const issuedAt = this.#now();
    this.#set({
      access: response.access,
      refresh: response.refresh,
      issuedAt,
      expiresAt: issuedAt + response.expires_in * 1000,
    });
  }

  #set(tokens: TokenSet | undefined): void {
    this.#tokens = tokens;
    this.#options.onTokens?.(tokens);
  }
}
