/**
 * Pairing a screen that has no credentials yet (Marquee extension of seed 002): asks the server
 * for a code, hands it to `onCode` to show on screen, and long-polls until an operator approves
 * it; resolves with the device account's credentials, which the screen then keeps and signs in
 * with as seed 002 does. An expired or rejected code is replaced by a new one (`onCode` again).
 * Transient failures (network, 5xx, 429) are retried with the backoff; `signal` stops it all.
 */
import { MarqueeError } from '../../errors';
import {
  PairingStarted,
  PairingStatus,
  type PairingRequestBody,
  type pairingRoutes,
} from '../../protocol/signage/pairing';
import { signageErrorShape } from '../../protocol/signage/errors';
import { backoffDelay, type BackoffOptions } from '../../transport/backoff';
import { createHttpClient } from '../../transport/http-client';

type RoutePath<Id> = Extract<(typeof pairingRoutes)[number], { id: Id }>['path'];
const START_PATH: RoutePath<'signage.pairingStart'> = '/api/v1/cloud/pairing/';
const pollPath = (id: string) => `${START_PATH}${encodeURIComponent(id)}/`;

/** Seconds a poll holds open on the server (it allows up to 30). */
const LONG_POLL_SECONDS = 25;

export interface PairDeviceOptions {
  /** The server's origin, e.g. `http://marquee:8000`. */
  readonly baseUrl: string;
  /** Called with each code to show (`ABCD-EF23`) and how many seconds it stays valid. */
  readonly onCode: (code: string, expiresInSeconds: number) => void;
  /** What the screen knows itself by; shown to the operator beside the code. */
  readonly request?: PairingRequestBody;
  /** Stops pairing; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Delays between failed attempts. @default the transport's (full jitter, 0.5 s to 30 s) */
  readonly backoff?: BackoffOptions;
  /** @default setTimeout */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What the screen keeps after pairing; `username`/`password` sign in with `/auth/token/`. */
export interface PairedDevice {
  readonly snNumber: string;
  readonly name: string;
  readonly username: string;
  readonly password: string;
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Whether waiting and asking again may help (the server or the network, not the request). */
function retryable(error: MarqueeError): boolean {
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

export async function pairDevice(options: PairDeviceOptions): Promise<PairedDevice> {
  const sleep = options.sleep ?? abortable;
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    errorShape: signageErrorShape,
    timeoutMs: (LONG_POLL_SECONDS + 10) * 1000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let failures = 0;
  let started: PairingStarted | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      if (started === undefined) {
        started = await http.request({
          method: 'POST',
          path: START_PATH,
          body: options.request ?? {},
          auth: false,
          schema: PairingStarted,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        options.onCode(started.code, started.expires_in);
      }
      const status = await http.request({
        path: pollPath(started.id),
        query: { wait: LONG_POLL_SECONDS },
        headers: { authorization: `Bearer ${started.secret}` },
        auth: false,
        schema: PairingStatus,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      failures = 0;
      if (status.status === 'approved') {
        return {
          snNumber: status.sn_number,
          name: status.name,
          username: status.username,
          password: status.password,
        };
      }
    } catch (error) {
      options.signal?.throwIfAborted();
      if (!(error instanceof MarqueeError)) throw error;
      // Expired or rejected: ask for a new code at once.
      if (error.status === 404) {
        started = undefined;
        continue;
      }
      if (!retryable(error)) throw error;
      failures += 1;
      await sleep(backoffDelay(failures - 1, options.backoff), options.signal);
    }
  }
}
