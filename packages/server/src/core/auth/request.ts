/**
 * Where a request carries its credentials: `Authorization: Bearer` (seed 002 and API clients),
 * the `marquee_session` cookie (browser dashboards, seed 004) and a `token` query parameter
 * (WebSocket URLs, seed 002's `?token=`, since browsers cannot set headers on a socket).
 */
import { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { type AuthPolicy } from '@marquee/sdk/protocol';
import { MarqueeError } from '@marquee/sdk';
import { authorize } from './policy';
import { SESSION_COOKIE_NAME } from './session-cookie';
import { type Identity } from './types';

export interface RequestCredentials {
  readonly bearer?: string;
  readonly cookie?: string;
  readonly query?: string;
}

function bearerFrom(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function cookieFrom(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw) || undefined;
    } catch {
      return raw || undefined;
    }
  }
  return undefined;
}

/** Collects whatever credentials are present; absent ones stay undefined (never empty strings). */
export function credentialsFromRequest(
  headers: IncomingHttpHeaders,
  url?: URL,
): RequestCredentials {
  const bearer = bearerFrom(headers.authorization);
  const cookie = cookieFrom(headers.cookie, SESSION_COOKIE_NAME);
  const query = url?.searchParams.get('token') || undefined;
  return {
    ...(bearer !== undefined && { bearer }),
    ...(cookie !== undefined && { cookie }),
    ...(query !== undefined && { query }),
  };
}

/**
 * The caller's Identity, or undefined when no credential is present (`authorize` then decides).
 * Exactly one credential is checked, the most explicit one: bearer, then query, then cookie, so
 * a stale cookie cannot shadow a token the client chose to send. A present but bad credential
 * throws (UNAUTHORIZED or TOKEN_EXPIRED): callers on `none` routes should not call this.
 */
export async function authenticateRequest(
  auth: { authenticate(token: string): Promise<Identity> },
  creds: RequestCredentials,
): Promise<Identity | undefined> {
  const token = creds.bearer ?? creds.query ?? creds.cookie;
  if (token === undefined) return undefined;
  if (token.length > 4096) throw new MarqueeError('UNAUTHORIZED', 'Invalid token');
  return auth.authenticate(token);
}

/**
 * A WebSocket upgrade's caller, authorized by its channel's table policy: the same credentials
 * and rules as a route, with the URL's `token` (browsers cannot set headers on a socket).
 */
export async function authorizeUpgrade(
  auth: { authenticate(token: string): Promise<Identity> },
  req: IncomingMessage,
  url: URL,
  channel: { readonly auth: AuthPolicy },
  scope: string,
): Promise<Identity | undefined> {
  const identity = await authenticateRequest(auth, credentialsFromRequest(req.headers, url));
  authorize(channel.auth, identity, scope);
  return identity;
}
