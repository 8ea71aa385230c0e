/**
 * The SDK clients the console calls, bound to the page's own origin. Neither holds a token: the
 * browser sends the HttpOnly session cookie that `accounts.signIn` set, and the server checks the
 * page's Origin on every change (core/origin.ts). A 401 anywhere means the session ended.
 */
import {
  createAccountsClient,
  createSignageAdminClient,
  MarqueeError,
  type AccountsClient,
  type SignageAdminClient,
} from '@marquee/sdk';

const origin = window.location.origin;

export const accounts: AccountsClient = createAccountsClient({ baseUrl: origin });

/** `token` reads nothing: the cookie is the credential, so no Authorization header is sent. */
export const signage: SignageAdminClient = createSignageAdminClient({
  baseUrl: origin,
  token: () => undefined,
});

/** A person's sentence for a failed call. */
export function describeError(error: unknown): string {
  if (error instanceof MarqueeError) {
    if (error.code === 'NETWORK') return 'The server cannot be reached.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Whether a failure means the session is gone (sign in again). */
export function isSignedOut(error: unknown): boolean {
  return error instanceof MarqueeError && error.status === 401;
}
