/**
 * The JWT codec's verification (core/auth/jwt.ts, node:crypto HMAC): tokens it signed pass until
 * `exp`; every other form is refused with UNAUTHORIZED, and an expired but genuine one with
 * TOKEN_EXPIRED. Odd tokens are made here with jose (the library that signs) or by hand.
 */
import { createHmac } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtCodec } from '../../src/core/auth/jwt';

const SECRET = 's'.repeat(40);
const USER = { id: 7, username: 'lobby', role: 'device', tokenVersion: 2 };
const T0 = Date.UTC(2026, 11, 8, 12, 0, 0);

function codecAt(ms: number) {
  return createJwtCodec(SECRET, () => new Date(ms));
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MarqueeError) return error.code;
    throw error;
  }
  return 'accepted';
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with the given header and claims, signed with `secret` over the exact parts. */
function handMade(header: unknown, claims: unknown, secret = SECRET): string {
  const signingInput = `${b64(header)}.${b64(claims)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

const seconds = Math.floor(T0 / 1000);
const CLAIMS = {
  sub: '7',
  username: 'lobby',
  role: 'device',
  ver: 2,
  typ: 'access',
  jti: 'j-1',
  iss: 'marquee',
  iat: seconds,
  exp: seconds + 60,
};

describe('JWT verification', () => {
  it('accepts its own tokens until exp, then answers TOKEN_EXPIRED; the type must match', async () => {
    const token = await codecAt(T0).sign(USER, 'access', 60);
    await expect(codecAt(T0 + 59_999).verify(token, 'access')).resolves.toMatchObject({
      sub: '7',
      username: 'lobby',
      ver: 2,
      typ: 'access',
      exp: seconds + 60,
    });
    expect(await code(codecAt(T0 + 60_000).verify(token, 'access'))).toBe('TOKEN_EXPIRED');
    expect(await code(codecAt(T0).verify(token, 'refresh'))).toBe('UNAUTHORIZED');
  });

  it('accepts a token made by hand the same way (the check is not tied to jose)', async () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, CLAIMS);
    await expect(codecAt(T0).verify(token, 'access')).resolves.toMatchObject({ jti: 'j-1' });
  });

  it('refuses other secrets, algorithms, critical headers, broken forms and changed bytes', async () => {
    const good = await codecAt(T0).sign(USER, 'access', 60);
    const [h = '', p = '', s = ''] = good.split('.');
    const hs512 = await new SignJWT({ ...CLAIMS })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(new TextEncoder().encode(SECRET));
    const flipped = `${s.slice(0, 5)}${s[5] === 'A' ? 'B' : 'A'}${s.slice(6)}`;
    const lastChar = s.at(-1) === 'A' ? 'B' : 'A';
    const bad = [
      handMade({ alg: 'HS256' }, CLAIMS, 'another-secret-of-enough-length'),
      `${b64({ alg: 'none' })}.${b64(CLAIMS)}.`,
      hs512,
      handMade({ alg: 'HS256', crit: ['exp'], exp: 1 }, CLAIMS),
      handMade({ alg: 'HS256' }, [CLAIMS]),
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${flipped}`,
      `${h}.${p}.${s.slice(0, -1)}${lastChar}`,
      `${h}.${p}=.${s}`,
      `${h}.${p}.${s}=`,
      `${h}+.${p}.${s}`,
      '',
      'garbage',
    ];
    for (const token of bad) {
      expect(await code(codecAt(T0).verify(token, 'access')), token).toBe('UNAUTHORIZED');
    }
  });

  it('checks issuer, required claims and "not before"; an expired forgery is UNAUTHORIZED', async () => {
    const { jti: _jti, ...withoutJti } = CLAIMS;
    const refused = [
      { ...CLAIMS, iss: 'someone-else' },
      withoutJti,
      { ...CLAIMS, exp: 'tomorrow' },
      { ...CLAIMS, nbf: seconds + 1 },
      { ...CLAIMS, sub: 'not-a-number' },
    ];
    for (const claims of refused) {
      const token = handMade({ alg: 'HS256' }, claims);
      expect(await code(codecAt(T0).verify(token, 'access')), JSON.stringify(claims)).toBe(
        'UNAUTHORIZED',
      );
    }
    const nbfNow = handMade({ alg: 'HS256' }, { ...CLAIMS, nbf: seconds });
    expect(await code(codecAt(T0).verify(nbfNow, 'access'))).toBe('accepted');
    const expired = { ...CLAIMS, exp: seconds - 1 };
    expect(await code(codecAt(T0).verify(handMade({ alg: 'HS256' }, expired), 'access'))).toBe(
      'TOKEN_EXPIRED',
    );
    const forged = handMade({ alg: 'HS256' }, expired, 'another-secret-of-enough-length');
    expect(await code(codecAt(T0).verify(forged, 'access'))).toBe('UNAUTHORIZED');
  });
});
