/**
 * Ollama failures as MarqueeErrors with messages a person can act on: not reachable → 503
 * SERVICE_UNAVAILABLE (is it running? is OLLAMA_HOST right?), too slow → 504 UPSTREAM_TIMEOUT, an
 * unknown model → 404 NOT_FOUND, a request Ollama refused → 400, anything else Ollama reports
 * (out of memory while loading, a broken download) → 502 UPSTREAM_ERROR with Ollama's message.
 */
import { MarqueeError } from '@marquee/sdk';
import { ErrorBody } from './upstream';

/** Cancelled by the caller (a download cancel); not an Ollama failure. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

function reason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

export function unreachable(host: string, error: unknown): MarqueeError {
  return new MarqueeError(
    'SERVICE_UNAVAILABLE',
    `Ollama is not reachable at ${host} (${reason(error)}). Is it running? OLLAMA_HOST tells Marquee where it listens.`,
    { cause: error },
  );
}

export function timedOut(host: string, what: string, ms: number): MarqueeError {
  return new MarqueeError(
    'UPSTREAM_TIMEOUT',
    `Ollama at ${host} did not answer ${what} within ${Math.round(ms / 1000)} s`,
  );
}

/** Ollama's own words from an error body (`{"error": ...}`), or the text, or the status. */
export function ollamaMessage(status: number, text: string): string {
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON
  }
  const trimmed = text.trim().slice(0, 300);
  return trimmed === '' ? `HTTP ${status}` : trimmed;
}

/** Ollama reports an unknown model in a few wordings across versions. */
export function isNotFoundMessage(message: string): boolean {
  return /not found|does not exist|no such model/i.test(message);
}

/** The error for a non-2xx answer to `what` (`load`, `delete` ...) about `model`. */
export function responseError(
  status: number,
  text: string,
  what: string,
  model?: string,
): MarqueeError {
  const said = ollamaMessage(status, text);
  if (status === 404 || (model !== undefined && isNotFoundMessage(said) && status < 500)) {
    const subject = model === undefined ? 'The resource' : `Model "${model}"`;
    return new MarqueeError('NOT_FOUND', `${subject} was not found (Ollama: ${said})`);
  }
  if (status >= 400 && status < 500) {
    return new MarqueeError('BAD_REQUEST', `Ollama refused ${what}: ${said}`);
  }
  return new MarqueeError('UPSTREAM_ERROR', `Ollama failed to ${what}: ${said}`, {
    status: 502,
  });
}

/** The error for an `{"error": ...}` line in a pull stream already answered with 200. */
export function pullError(model: string, message: string): MarqueeError {
  if (isNotFoundMessage(message)) {
    return new MarqueeError(
      'NOT_FOUND',
      `Model "${model}" was not found in the registry (Ollama: ${message})`,
    );
  }
  return new MarqueeError('UPSTREAM_ERROR', `Download of "${model}" failed: ${message}`, {
    status: 502,
  });
}
