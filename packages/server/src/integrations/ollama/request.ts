/**
 * One call to Ollama on the injected `fetch`, with a time limit and every failure normalised:
 * a connection that fails is 503 (Ollama down), a timeout 504, a caller's abort a
 * `CancelledError`. The response is returned whatever its status; callers map non-2xx answers.
 */
import { MarqueeError } from '@marquee/sdk';
import { CancelledError, timedOut, unreachable } from './errors';

export interface OllamaCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** Words for messages: `list the models`, `load "llama2"`. */
  readonly what: string;
  /** Aborts the call (download cancel). */
  readonly signal?: AbortSignal;
  /**
   * Limit for the answer's headers; a streamed body is the caller's to time.
   * `undefined` uses the adapter's limit.
   */
  readonly timeoutMs?: number;
}

export interface OllamaTransport {
  readonly host: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

export async function callOllama(transport: OllamaTransport, call: OllamaCall): Promise<Response> {
  const timeoutMs = call.timeoutMs ?? transport.timeoutMs;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
  try {
    return await transport.fetch(`${transport.host}${call.path}`, {
      method: call.method,
      headers:
        call.body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal,
    });
  } catch (error) {
    if (call.signal?.aborted) throw new CancelledError('Cancelled', { cause: error });
    if (timeout.signal.aborted) throw timedOut(transport.host, call.what, timeoutMs);
    throw unreachable(transport.host, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The body of a response as text, with the same time limit as the call. */
export async function readText(
  transport: OllamaTransport,
  response: Response,
  what: string,
): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void response.body?.cancel().catch(() => undefined);
      reject(timedOut(transport.host, what, transport.timeoutMs));
    }, transport.timeoutMs);
  });
  try {
    return await Promise.race([response.text(), limit]);
  } catch (error) {
    if (error instanceof MarqueeError) throw error;
    throw unreachable(transport.host, error);
  } finally {
    clearTimeout(timer);
  }
}
