/**
 * Failures of a media-stack upstream (Plex, Sonarr, qBittorrent ...) as MarqueeErrors that say
 * which upstream, what went wrong and what to check: not reachable → 503 SERVICE_UNAVAILABLE, too
 * slow → 504 UPSTREAM_TIMEOUT, credentials refused → 502 UPSTREAM_ERROR naming the variable to
 * fix, another error status or an answer in an unexpected shape → 502 UPSTREAM_ERROR.
 */
import { MarqueeError } from '@marquee/sdk';

export type UpstreamFailure = 'unreachable' | 'timeout' | 'auth' | 'http' | 'malformed';

export class UpstreamError extends MarqueeError {
  readonly upstream: string;
  readonly kind: UpstreamFailure;

  constructor(
    upstream: string,
    kind: UpstreamFailure,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    const code =
      kind === 'unreachable'
        ? 'SERVICE_UNAVAILABLE'
        : kind === 'timeout'
          ? 'UPSTREAM_TIMEOUT'
          : 'UPSTREAM_ERROR';
    super(code, message, {
      ...(kind === 'unreachable' || kind === 'timeout' ? {} : { status: 502 }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.upstream = upstream;
    this.kind = kind;
  }
}

/** The innermost reason of a network failure: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`. */
export function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
