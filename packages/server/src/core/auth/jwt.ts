/**
 * HS256 access and refresh tokens (seed 002's `access` / `refresh`). Both carry `typ` so one can
 * never stand in for the other, and a random `jti` so two tokens minted in the same second
 * differ. Time comes from the injected clock for signing and for verification alike, which is
 * what lets tests expire a token without waiting.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import { SignJWT } from 'jose';
import { z } from 'zod';

export type TokenType = 'access' | 'refresh';

const ISSUER = 'marquee';

const ClaimsSchema = z.object({
  sub: z.string().regex(/^\d+$/),
  username: z.string(),
  /** Informational: what the user's role was at issue; authority comes from the store. */
  role: z.string(),
  /** The user's token version at issue; a token of an older version is revoked. */
  ver: z.number().int().min(0).default(0),
  typ: z.enum(['access', 'refresh']),
  jti: z.string(),
  iat: z.number(),
  exp: z.number(),
});

export type JwtClaims = z.infer<typeof ClaimsSchema>;

export interface JwtCodec {
  /** Signs a token of type `typ` for the user, valid for `ttlSeconds` from now(). */
  sign(
    user: { id: number; username: string; role: string; tokenVersion: number },
    typ: TokenType,
    ttlSeconds: number,
  ): Promise<string>;
  /**
   * Verifies signature, issuer, expiry and type. Throws MarqueeError TOKEN_EXPIRED ("Token has
   * expired", seed 002) for an expired but otherwise genuine token, UNAUTHORIZED for anything else.
   */
  verify(token: string, typ: TokenType): Promise<JwtClaims>;
}

/** A JWS compact serialisation's part: base64url without padding, nothing else. */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks an HS256 token's form and signature with node:crypto, synchronously; its claims, or a
 * reason it is refused. Only `{"alg":"HS256"}` headers without `crit` (what `sign` makes) pass,
 * so `none`, other algorithms and extensions this code does not understand are refused.
 */
function verifySignature(
  token: string,
  secret: Buffer,
): { claims: Record<string, unknown> } | { refused: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { refused: 'not a compact JWS' };
  const [header = '', payload = '', signature = ''] = parts;
  if (!BASE64URL.test(header) || !BASE64URL.test(payload) || !BASE64URL.test(signature)) {
    return { refused: 'not base64url' };
  }
  const protectedHeader = decodeJson(header);
  if (!isObject(protectedHeader) || protectedHeader.alg !== 'HS256') {
    return { refused: 'not an HS256 token' };
  }
  if (protectedHeader.crit !== undefined) return { refused: 'unsupported critical header' };
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  // A signature's base64url has one canonical spelling; a changed last character that decodes
  // to the same bytes is refused too.
  if (
    given.length !== expected.length ||
    !timingSafeEqual(given, expected) ||
    given.toString('base64url') !== signature
  ) {
    return { refused: 'signature verification failed' };
  }
  const claims = decodeJson(payload);
  return isObject(claims) ? { claims } : { refused: 'payload is not a JSON object' };
}

/**
 * Issuer, expiry and "not before" as RFC 7519 says, against `nowSeconds` with no leeway: a token
 * whose `exp` is now or earlier is expired. `ok`, `expired`, or why the token is refused.
 */
function checkTimes(claims: Record<string, unknown>, nowSeconds: number): string {
  if (claims.iss !== ISSUER) return 'unexpected issuer';
  for (const name of ['sub', 'jti', 'iat', 'exp'] as const) {
    if (claims[name] === undefined) return `missing ${name}`;
  }
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return 'exp is not a number';
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return 'iat is not a number';
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number' || !Number.isFinite(claims.nbf)) {
      return 'nbf is not a number';
    }
    if (claims.nbf > nowSeconds) return 'not yet valid';
  }
  return claims.exp <= nowSeconds ? 'expired' : 'ok';
}

export function createJwtCodec(secret: string, now: () => Date): JwtCodec {
  // Signing goes through jose with a key imported once (given raw bytes, jose imports a
  // CryptoKey on every call). Verifying, which every authenticated request and device socket
  // pays (10,000 at once when a signage fleet reconnects), is a synchronous HMAC with
  // node:crypto: measured 11 µs a token against jose's 24 µs with the imported key.
  const imported = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  // A failed import surfaces on first use; never as an unhandled rejection.
  imported.catch(() => undefined);
  const secretBytes = Buffer.from(secret, 'utf8');
  return {
    async sign(user, typ, ttlSeconds) {
      const iat = Math.floor(now().getTime() / 1000);
      return new SignJWT({ username: user.username, role: user.role, ver: user.tokenVersion, typ })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(user.id))
        .setIssuer(ISSUER)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(await imported);
    },
    verify(token, typ) {
      const checked = verifySignature(token, secretBytes);
      if ('refused' in checked) {
        return Promise.reject(new MarqueeError('UNAUTHORIZED', 'Invalid token'));
      }
      const times = checkTimes(checked.claims, Math.floor(now().getTime() / 1000));
      if (times === 'expired') {
        return Promise.reject(new MarqueeError('TOKEN_EXPIRED', 'Token has expired'));
      }
      if (times !== 'ok') return Promise.reject(new MarqueeError('UNAUTHORIZED', 'Invalid token'));
      const claims = ClaimsSchema.safeParse(checked.claims);
      if (!claims.success || claims.data.typ !== typ) {
        return Promise.reject(new MarqueeError('UNAUTHORIZED', `Not a valid ${typ} token`));
      }
      return Promise.resolve(claims.data);
    },
  };
}
