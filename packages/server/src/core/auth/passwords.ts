/**
 * Password hashing with scrypt (node:crypto, memory-hard, no native addon). The encoded form
 * carries its own parameters, `scrypt$N$r$p$saltB64$hashB64`, so the cost can be raised later
 * without invalidating stored hashes. Verification never throws on a malformed hash: a damaged
 * row must fail the login, not crash the server.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters for new hashes (OWASP's scrypt baseline: N=2^14, r=8, p=1). */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1, keylen: 64, saltBytes: 16 } as const;

// Bounds for parameters read back from storage, so a tampered hash cannot make verify allocate
// gigabytes or spin for minutes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(password: string, salt: Buffer, keylen: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes plus slack, or node refuses large N.
    const maxmem = 128 * (options.N ?? 16384) * (options.r ?? 8) * 2;
    scrypt(password, salt, keylen, { ...options, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes `password` with a fresh random salt; resolves to the encoded string. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keylen, saltBytes } = SCRYPT_PARAMS;
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, keylen, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseInteger(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function parseHash(encoded: string): ParsedHash | undefined {
  const [scheme, nText, rText, pText, saltText, hashText, ...rest] = encoded.split('$');
  if (scheme !== 'scrypt' || rest.length > 0) return undefined;
  const N = parseInteger(nText, MAX_N);
  const r = parseInteger(rText, MAX_R);
  const p = parseInteger(pText, MAX_P);
  if (N === undefined || r === undefined || p === undefined || (N & (N - 1)) !== 0 || N < 2) {
    return undefined;
  }
  if (!saltText || !hashText || !BASE64.test(saltText) || !BASE64.test(hashText)) return undefined;
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 128) return undefined;
  return { N, r, p, salt, hash };
}

/** True when `password` matches `encoded`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (parsed === undefined) return false;
  const { N, r, p, salt, hash } = parsed;
  const candidate = await derive(password, salt, hash.length, { N, r, p });
  return timingSafeEqual(candidate, hash);
}
