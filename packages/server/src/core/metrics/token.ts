/**
 * The scraper's credential: `Authorization: Bearer <MARQUEE_METRICS_TOKEN>`, compared in
 * constant time (both sides hashed first, so neither the length nor a prefix leaks). It is not
 * an account and opens nothing but the metrics.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Throws UNAUTHORIZED unless `authorization` carries `token`. */
export function checkMetricsToken(authorization: string | undefined, token: string): void {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  const given = match?.[1];
  if (given === undefined || !timingSafeEqual(digest(given), digest(token))) {
    throw new MarqueeError(
      'UNAUTHORIZED',
      'A valid metrics token is required (Authorization: Bearer <MARQUEE_METRICS_TOKEN>)',
    );
  }
}

/** Sent with every 401 so a scraper knows which scheme to use (RFC 6750). */
export const METRICS_CHALLENGE = 'Bearer realm="metrics"';
