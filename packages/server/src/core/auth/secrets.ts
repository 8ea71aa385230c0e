/**
 * Random bearer secrets and their stored form. Secrets carry a short prefix (`mqd_` display
 * token, `mqs_` browser session) so `authenticate` can tell them from JWTs without a lookup and
 * secret scanners can recognise a leaked one. Only the SHA-256 is stored: a 256-bit random
 * secret needs no salt or slow hash, and a database copy then grants nothing.
 */
import { createHash, randomBytes } from 'node:crypto';

/** `prefix` + base64url of `bytes` random bytes (32 bytes = 256 bits of entropy). */
export function generateSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** Hex SHA-256, the form in which secrets are stored and looked up. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** True when `value` is `prefix` followed by exactly the base64url of `bytes` bytes. */
export function hasSecretShape(value: string, prefix: string, bytes = 32): boolean {
  const length = Math.ceil((bytes * 4) / 3);
  return (
    value.length === prefix.length + length &&
    value.startsWith(prefix) &&
    /^[A-Za-z0-9_-]+$/.test(value.slice(prefix.length))
  );
}
