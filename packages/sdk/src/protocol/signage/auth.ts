/**
 * Signage authentication: username/password login and refresh, both answered with the same
 * token pair (the seed's `AuthModel`). Devices log in with a user account, so the access token
 * they carry is a user token.
 */
import * as z from 'zod/mini';
import { positiveInt } from '../primitives';

/**
 * `POST /auth/token/` body. Empty strings are rejected here rather than looked up: they can
 * never match an account, and either way the client gets the documented 400.
 */
export const LoginBody = z
  .object({
    username: z.string().check(z.minLength(1), z.maxLength(150)),
    password: z.string().check(z.minLength(1), z.maxLength(1024)),
  })
  .register(z.globalRegistry, { id: 'SignageLoginBody' });
export type LoginBody = z.infer<typeof LoginBody>;

/** `POST /auth/token/refresh/` body. */
export const RefreshBody = z
  .object({ refresh: z.string().check(z.minLength(1)) })
  .register(z.globalRegistry, { id: 'SignageRefreshBody' });
export type RefreshBody = z.infer<typeof RefreshBody>;

/**
 * The seed's `AuthModel`, returned by login and by refresh alike. Refresh returns a new
 * `refresh` token too, so clients must store both after either call.
 */
export const AuthModel = z
  .object({
    /** JWT sent as `Authorization: Bearer` and as the WebSocket `token` query parameter. */
    access: z.string().check(z.minLength(1)),
    /** JWT that obtains a new pair from the refresh route. */
    refresh: z.string().check(z.minLength(1)),
    /** Lifetime of `access` in seconds; clients refresh ahead of it (the seed suggests 5 min). */
    expires_in: positiveInt,
  })
  .register(z.globalRegistry, { id: 'SignageAuthModel' });
export type AuthModel = z.infer<typeof AuthModel>;
