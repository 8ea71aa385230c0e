/**
 * Accounts (Marquee extension, core surface): the admin API for users and one's own password.
 * Seed 002's style like the other core routes (`/api/v1`, trailing slashes, `{message,
 * status_code}` errors, `{count, results}` lists).
 */
import * as z from 'zod/mini';
import { isoDateTime, positiveInt } from './primitives';
import { defineRoute, response } from './tables';
import { Role } from './roles';
import { SignageError } from './signage/errors';

/** Letters, digits and `@.+-_`, as Django (seed 002's backend) allows; 150 at most. */
export const Username = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(150),
    z.regex(/^[\w.@+-]+$/, 'letters, digits and @.+-_ only'),
  );

/** At least 8 characters; 1024 at most so a password never costs more scrypt than a login. */
export const Password = z.string().check(z.minLength(8), z.maxLength(1024));

export const User = z
  .object({
    id: positiveInt,
    username: z.string(),
    role: Role,
    disabled: z.boolean(),
    created_at: isoDateTime,
    disabled_at: z.nullable(isoDateTime),
  })
  .register(z.globalRegistry, { id: 'CoreUser' });
export type User = z.infer<typeof User>;

export const UserList = z
  .object({ count: z.number().check(z.int(), z.minimum(0)), results: z.array(User) })
  .register(z.globalRegistry, { id: 'CoreUserList' });
export type UserList = z.infer<typeof UserList>;

export const UserListQuery = z.object({ role: z.optional(Role) });

export const CreateUser = z
  .object({
    username: Username,
    role: Role,
    /** Left out: a password is generated and returned once in the answer. */
    password: z.optional(Password),
  })
  .register(z.globalRegistry, { id: 'CoreCreateUser' });
export type CreateUser = z.infer<typeof CreateUser>;

/** The creation answer: `password` only when the server generated it (shown this once). */
export const CreatedUser = z
  .extend(User, { password: z.optional(z.string()) })
  .register(z.globalRegistry, {
    id: 'CoreCreatedUser',
  });
export type CreatedUser = z.infer<typeof CreatedUser>;

export const UpdateUser = z
  .object({
    role: z.optional(Role),
    password: z.optional(Password),
    /** `true` disables the account: it cannot sign in, and every token it holds stops working. */
    disabled: z.optional(z.boolean()),
  })
  .check(
    z.refine((body) => Object.values(body).some((value) => value !== undefined), {
      message: 'Nothing to change: send role, password or disabled',
    }),
  )
  .register(z.globalRegistry, { id: 'CoreUpdateUser' });
export type UpdateUser = z.infer<typeof UpdateUser>;

export const UserParams = z.object({
  id: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(2 ** 53 - 1)),
});

export const ChangePassword = z
  .object({
    current_password: z.string().check(z.minLength(1), z.maxLength(1024)),
    new_password: Password,
  })
  .register(z.globalRegistry, { id: 'CoreChangePassword' });
export type ChangePassword = z.infer<typeof ChangePassword>;

const err = (description: string) => response(description, SignageError);
const unauthorized = err('Not signed in');
const forbidden = err('Not an admin');
const BASE = '/api/v1/admin/users';

export const accountRoutes = [
  defineRoute({
    id: 'core.userList',
    method: 'GET',
    path: `${BASE}/`,
    summary: 'List users (`role` filters)',
    auth: 'admin',
    query: UserListQuery,
    extension: true,
    responses: {
      200: response('Every user, by id', UserList),
      400: err('Unknown role'),
      401: unauthorized,
      403: forbidden,
    },
  }),
  defineRoute({
    id: 'core.userCreate',
    method: 'POST',
    path: `${BASE}/`,
    summary: 'Create a user with a role; without a password one is generated and shown once',
    auth: 'admin',
    body: CreateUser,
    bodyKind: 'json',
    extension: true,
    responses: {
      201: response('Created', CreatedUser),
      400: err('Invalid user name, role or password'),
      401: unauthorized,
      403: forbidden,
      409: err('The user name is taken'),
    },
  }),
  defineRoute({
    id: 'core.userGet',
    method: 'GET',
    path: `${BASE}/{id}/`,
    summary: 'One user',
    auth: 'admin',
    params: UserParams,
    extension: true,
    responses: {
      200: response('The user', User),
      400: err('Invalid id'),
      401: unauthorized,
      403: forbidden,
      404: err('No such user'),
    },
  }),
  defineRoute({
    id: 'core.userUpdate',
    method: 'PATCH',
    path: `${BASE}/{id}/`,
    summary:
      'Change role, password or disabled; every token the user holds is revoked and its sockets are closed',
    auth: 'admin',
    params: UserParams,
    body: UpdateUser,
    bodyKind: 'json',
    extension: true,
    responses: {
      200: response('Changed', User),
      400: err('Invalid id or body'),
      401: unauthorized,
      403: forbidden,
      404: err('No such user'),
      409: err('It would demote or disable the last active admin'),
    },
  }),
  defineRoute({
    id: 'core.userDelete',
    method: 'DELETE',
    path: `${BASE}/{id}/`,
    summary:
      'Delete a user: its sessions and the display tokens it created go with it, its sockets are closed',
    auth: 'admin',
    params: UserParams,
    extension: true,
    responses: {
      204: response('Deleted', null),
      400: err('Invalid id'),
      401: unauthorized,
      403: forbidden,
      404: err('No such user'),
      409: err('It is the last active admin'),
    },
  }),
  defineRoute({
    id: 'core.passwordChange',
    method: 'POST',
    path: '/api/v1/auth/password/',
    summary:
      "Change one's own password; every other session and token of the account is revoked (sign in again)",
    auth: 'user',
    body: ChangePassword,
    bodyKind: 'json',
    extension: true,
    responses: {
      204: response('Changed', null),
      400: err('The current password is wrong, or the new one is too short'),
      401: unauthorized,
      403: err('A display token has no password'),
    },
  }),
] as const;
