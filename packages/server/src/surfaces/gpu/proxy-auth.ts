/**
 * The `proxy` auth policy (seed 004's PROXY_AUTH_ENABLED / PROXY_AUTH_TOKEN): with proxy auth
 * off the proxy is open, as Ollama itself is; with it on, the request must carry
 * `Authorization: Bearer <PROXY_AUTH_TOKEN>`. The comparison takes the same time whatever the
 * token, so its bytes cannot be guessed one at a time from response timings.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import type { Config } from '../../core/config';

export type ProxyAuthConfig = Pick<Config, 'proxyAuthEnabled' | 'proxyAuthToken'>;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Throws UNAUTHORIZED unless the proxy is open or `authorization` holds the proxy token. */
export function checkProxyToken(config: ProxyAuthConfig, authorization: string | undefined): void {
  if (!config.proxyAuthEnabled) return;
  const expected = config.proxyAuthToken;
  const presented = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (expected === undefined || presented === undefined) {
    throw new MarqueeError('UNAUTHORIZED', 'The Ollama proxy requires its token (Bearer)');
  }
  if (!timingSafeEqual(digest(presented), digest(expected))) {
    throw new MarqueeError('UNAUTHORIZED', 'Invalid proxy token');
  }
}
