/**
 * Signage authentication: username/password login and refresh, both answered with the same
 * token pair (the seed's `AuthModel`). Devices log in with a user account, so the access token
 * they carry is a user token.
 */
import * as z from 'zod';
import { positiveInt } from '../common';

/**
 * `POST /auth/token/` body. Empty strings are rejected here rather than looked up: they can
 * never match an account, and either way the client gets the documented 400.
 */
export const LoginBody = z
  .object({
    username: z.string().min(1).max(150),
    password: z.string().min(1).max(1024),
  })
  .meta({ id: 'SignageLoginBody' });
export type LoginBody = z.infer<typeof LoginBody>;

/** `POST /auth/token/refresh/` body. */
export const RefreshBody = z
  .object({ refresh: z.string().min(1) })
  .meta({ id: 'SignageRefreshBody' });
export type RefreshBody = z.infer<typeof RefreshBody>;

/**
 * The seed's `AuthModel`, returned by login and by refresh alike. Refresh returns a new
 * `refresh` token too, so clients must store both after either call.
 */
export const AuthModel = z
  .object({
    /** JWT sent as `Authorization: Bearer` and as the WebSocket `token` query parameter. */
    access: z.string().min(1),
    /** JWT that obtains a new pair from the refresh route. */
    refresh: z.string().min(1),
    /** Lifetime of `access` in seconds; clients refresh ahead of it (the seed suggests 5 min). */
    expires_in: positiveInt,
  })
  .meta({ id: 'SignageAuthModel' });
export type AuthModel = z.infer<typeof AuthModel>;
