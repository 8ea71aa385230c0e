/**
 * The one auth service behind every surface: password sign-in to JWTs (seed 002) or a browser
 * cookie (seed 004), display tokens, and `authenticate`, which turns any presented secret into an
 * Identity. Routes and sockets call this; nothing else reads credentials.
 *
 * Start-up rules (`bootstrap`):
 * - No users yet: create the admin `config.adminUsername` with `config.adminPassword`, or with a
 *   generated 24-character password returned once for the caller to print (it is never logged).
 * - `config.adminPassword` set and that user exists: the environment is authoritative, as in seed
 *   004 where the env variables *are* the dashboard credentials; when the stored hash no longer
 *   matches, it is replaced. When the name does not exist yet (renamed in env), it is created as
 *   an admin. An existing non-admin user of that name keeps its role.
 * - The JWT secret is `config.jwtSecret`, else 32 random bytes generated once and kept in the
 *   `jwt_secret` setting, so tokens survive restarts and every instance on one store agrees.
 */
import { randomBytes } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import { type Config } from '../config';
import { type Role, type Store, type UserRecord } from '../store/types';
import { createDisplayTokens, DISPLAY_TOKEN_PREFIX, type DisplayTokens } from './display-tokens';
import { createJwtCodec, type JwtClaims, type JwtCodec } from './jwt';
import { hashPassword, verifyPassword } from './passwords';
import { sessionCookie, type SessionCookie } from './session-cookie';
import {
  createSessions,
  SESSION_TOKEN_PREFIX,
  type CreatedSession,
  type UserIdentity,
} from './sessions';
import { type Identity, type TokenPair } from './types';
import { createUsers, generatePassword, type Users } from './users';

/** The settings key of the generated JWT secret. */
export const JWT_SECRET_SETTING = 'jwt_secret';

/** The subset of a pino logger the service uses. */
export interface AuthLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export type AuthConfig = Pick<
  Config,
  | 'adminUsername'
  | 'adminPassword'
  | 'jwtSecret'
  | 'accessTokenTtlSeconds'
  | 'refreshTokenTtlSeconds'
  | 'sessionExpiryHours'
>;

export interface AuthServiceOptions {
  store: Store;
  config: AuthConfig;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default no logging */
  logger?: AuthLogger;
  /** How often a display token's `lastUsedAt` may be written. @default 60000 */
  displayTokenTouchIntervalMs?: number;
}

export interface BootstrapResult {
  createdAdmin: boolean;
  /** Present only when the admin was created without a configured password: print it once. */
  generatedPassword?: string;
  /** True when the configured admin password replaced a different stored one. */
  adminPasswordReset: boolean;
}

export interface AuthService {
  bootstrap(): Promise<BootstrapResult>;
  /** Throws INVALID_CREDENTIALS (400) "Invalid username or password". */
  verifyCredentials(username: string, password: string): Promise<UserIdentity>;
  /** Seed 002 `POST /auth/token/`. */
  login(username: string, password: string): Promise<TokenPair>;
  /** Seed 002 `POST /auth/token/refresh/`: a fresh pair; UNAUTHORIZED (401) for any bad token. */
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Access JWT, display token (`mqd_`) or session token (`mqs_`) to an Identity. */
  authenticate(token: string): Promise<Identity>;
  createUser(input: { username: string; password: string; role: Role }): Promise<UserIdentity>;
  /** Account management (admin API, CLI) and one's own password. */
  readonly users: Users;
  createSession(userId: number): Promise<CreatedSession>;
  sessionCookie(session: CreatedSession, opts: { secure: boolean }): SessionCookie;
  /** Ends a browser session; false when it did not exist. */
  logout(sessionToken: string): Promise<boolean>;
  createDisplayToken: DisplayTokens['create'];
  listDisplayTokens: DisplayTokens['list'];
  revokeDisplayToken: DisplayTokens['revoke'];
  /** Fires with the token id after each revoke, so sockets opened with it can be closed. */
  onRevoked: DisplayTokens['onRevoked'];
}

const INVALID_CREDENTIALS = 'Invalid username or password';

function identityOf(user: UserRecord): UserIdentity {
  return { kind: 'user', userId: user.id, username: user.username, role: user.role };
}

export function createAuthService(options: AuthServiceOptions): AuthService {
  const { store, config } = options;
  const now = options.now ?? (() => new Date());
  const logger = options.logger;
  const displayTokens = createDisplayTokens({
    store,
    now,
    touchIntervalMs: options.displayTokenTouchIntervalMs,
    onListenerError: (error) =>
      logger?.warn({ err: error }, 'display token revoke listener failed'),
  });
  const sessions = createSessions({ store, now, expiryHours: config.sessionExpiryHours });
  const users = createUsers({
    store,
    sessions,
    now,
    onListenerError: (error) => logger?.warn({ err: error }, 'user revoke listener failed'),
  });

  let codec: Promise<JwtCodec> | undefined;
  const jwt = (): Promise<JwtCodec> => {
    if (codec === undefined) {
      const pending = resolveSecret().then((secret) => createJwtCodec(secret, now));
      codec = pending;
      // A failed read (e.g. SQLITE_BUSY) is retried on the next call rather than cached.
      pending.catch(() => {
        if (codec === pending) codec = undefined;
      });
    }
    return codec;
  };
  async function resolveSecret(): Promise<string> {
    if (config.jwtSecret !== undefined) return config.jwtSecret;
    return store.settings.setIfAbsent(JWT_SECRET_SETTING, randomBytes(32).toString('base64url'));
  }

  // Verified against when the user does not exist, so an unknown name costs a full scrypt too.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= hashPassword(randomBytes(16).toString('base64url')));

  async function issue(user: UserRecord): Promise<TokenPair> {
    const codec = await jwt();
    const subject = {
      id: user.id,
      username: user.username,
      role: user.role,
      tokenVersion: user.tokenVersion,
    };
    return {
      access: await codec.sign(subject, 'access', config.accessTokenTtlSeconds),
      refresh: await codec.sign(subject, 'refresh', config.refreshTokenTtlSeconds),
      expires_in: config.accessTokenTtlSeconds,
    };
  }

  /** The user a token names, if the token is still good for it (not disabled, not revoked). */
  async function currentUser(
    claims: { sub: string; ver: number },
    message: string,
  ): Promise<UserRecord> {
    const user = await store.users.findById(Number(claims.sub));
    if (user === undefined) throw new MarqueeError('UNAUTHORIZED', message);
    if (user.disabledAt !== null) throw new MarqueeError('UNAUTHORIZED', 'Account is disabled');
    if (user.tokenVersion !== claims.ver) {
      throw new MarqueeError('UNAUTHORIZED', 'Token has been revoked');
    }
    return user;
  }

  /** The user with this name and password; INVALID_CREDENTIALS otherwise (scrypt either way). */
  async function checkPassword(username: string, password: string): Promise<UserRecord> {
    const user = await store.users.findByUsername(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummy()));
    if (user === undefined || !ok)
      throw new MarqueeError('INVALID_CREDENTIALS', INVALID_CREDENTIALS);
    // Said only to whoever knows the password: a disabled account is not a wrong password.
    if (user.disabledAt !== null)
      throw new MarqueeError('INVALID_CREDENTIALS', 'This account is disabled');
    return user;
  }

  async function createAdmin(password: string): Promise<boolean> {
    try {
      const passwordHash = await hashPassword(password);
      await store.users.create({ username: config.adminUsername, passwordHash, role: 'admin' });
      logger?.info({ username: config.adminUsername }, 'created admin user');
      return true;
    } catch (error) {
      // Another instance sharing the store won the race; its admin is as good as ours.
      if (error instanceof MarqueeError && error.code === 'CONFLICT') return false;
      throw error;
    }
  }

  const service: AuthService = {
    async bootstrap() {
      await jwt();
      const { adminUsername, adminPassword } = config;
      const existing = await store.users.findByUsername(adminUsername);
      if (existing === undefined) {
        if (adminPassword !== undefined) {
          return { createdAdmin: await createAdmin(adminPassword), adminPasswordReset: false };
        }
        if ((await store.users.count()) > 0)
          return { createdAdmin: false, adminPasswordReset: false };
        const generated = generatePassword();
        const created = await createAdmin(generated);
        return created
          ? { createdAdmin: true, generatedPassword: generated, adminPasswordReset: false }
          : { createdAdmin: false, adminPasswordReset: false };
      }
      if (
        adminPassword !== undefined &&
        !(await verifyPassword(adminPassword, existing.passwordHash))
      ) {
        await store.users.setPassword(existing.id, await hashPassword(adminPassword));
        logger?.warn({ username: adminUsername }, 'admin password reset from configuration');
        return { createdAdmin: false, adminPasswordReset: true };
      }
      return { createdAdmin: false, adminPasswordReset: false };
    },

    async verifyCredentials(username, password) {
      return identityOf(await checkPassword(username, password));
    },

    async login(username, password) {
      return issue(await checkPassword(username, password));
    },

    async refresh(refreshToken) {
      let claims: JwtClaims;
      try {
        claims = await (await jwt()).verify(refreshToken, 'refresh');
      } catch (error) {
        throw new MarqueeError('UNAUTHORIZED', 'Invalid or expired refresh token', {
          cause: error,
        });
      }
      return issue(await currentUser(claims, 'Invalid or expired refresh token'));
    },

    async authenticate(token) {
      if (token.startsWith(DISPLAY_TOKEN_PREFIX)) return displayTokens.verify(token);
      if (token.startsWith(SESSION_TOKEN_PREFIX)) return sessions.verify(token);
      const claims = await (await jwt()).verify(token, 'access');
      return identityOf(await currentUser(claims, 'User no longer exists'));
    },

    async createUser({ username, password, role }) {
      return identityOf((await users.create({ username, password, role })).user);
    },
    users,

    createSession: (userId) => sessions.create(userId),
    sessionCookie: (session, opts) => sessionCookie(session, { secure: opts.secure, now: now() }),
    logout: (sessionToken) => sessions.destroy(sessionToken),
    createDisplayToken: (input) => displayTokens.create(input),
    listDisplayTokens: () => displayTokens.list(),
    revokeDisplayToken: (id) => displayTokens.revoke(id),
    onRevoked: (listener) => displayTokens.onRevoked(listener),
  };
  return service;
}
