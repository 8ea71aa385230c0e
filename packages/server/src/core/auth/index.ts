/** Auth: one identity system for every surface (users, browser sessions, display tokens). */
export {
  createAuthService,
  JWT_SECRET_SETTING,
  type AuthConfig,
  type AuthLogger,
  type AuthService,
  type AuthServiceOptions,
  type BootstrapResult,
} from './service';
export { authenticateRequest, credentialsFromRequest, type RequestCredentials } from './request';
export { ALL_SCOPES, CORE_SCOPE, authorize } from './policy';
export { principalOf } from './principal';
export {
  clearedSessionCookie,
  SESSION_COOKIE_NAME,
  sessionCookie,
  type SessionCookie,
  type SessionCookieOptions,
} from './session-cookie';
export { hashPassword, SCRYPT_PARAMS, verifyPassword } from './passwords';
export { createJwtCodec, type JwtClaims, type JwtCodec, type TokenType } from './jwt';
export {
  DISPLAY_TOKEN_PREFIX,
  type DisplayIdentity,
  type DisplayTokens,
  type RevokedListener,
} from './display-tokens';
export { SESSION_TOKEN_PREFIX, type CreatedSession, type UserIdentity } from './sessions';
export type { Identity, TokenPair } from './types';
