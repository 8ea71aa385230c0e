/**
 * The browser session cookie's name and attributes. `HttpOnly` keeps page scripts away from the
 * secret; `SameSite=Lax` blocks cross-site POSTs while letting a link to the dashboard arrive
 * signed in. `Secure` is the caller's call: Marquee often runs over plain HTTP on a LAN.
 */
export const SESSION_COOKIE_NAME = 'marquee_session';

/** Attributes in the shape `@fastify/cookie`'s `setCookie` takes (`maxAge` in seconds). */
export interface SessionCookieOptions {
  readonly httpOnly: true;
  readonly sameSite: 'lax';
  readonly path: '/';
  readonly secure: boolean;
  readonly maxAge: number;
  readonly expires: Date;
}

export interface SessionCookie {
  readonly name: typeof SESSION_COOKIE_NAME;
  readonly value: string;
  readonly options: SessionCookieOptions;
}

/** The cookie that carries a session created at `now`; `secure` when served over HTTPS. */
export function sessionCookie(
  session: { token: string; expiresAt: Date },
  opts: { secure: boolean; now: Date },
): SessionCookie {
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - opts.now.getTime()) / 1000));
  return {
    name: SESSION_COOKIE_NAME,
    value: session.token,
    options: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: opts.secure,
      maxAge,
      expires: session.expiresAt,
    },
  };
}

/** A cookie that makes the browser drop the session (logout). */
export function clearedSessionCookie(opts: { secure: boolean }): SessionCookie {
  return {
    name: SESSION_COOKIE_NAME,
    value: '',
    options: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: opts.secure,
      maxAge: 0,
      expires: new Date(0),
    },
  };
}
