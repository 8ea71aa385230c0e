/**
 * The kiosk page's account and playback controls: sign in with the browser session cookie, then
 * pause / resume / stop a session. The command goes through the server to the web player that
 * owns the session and is answered once the player acknowledges it (or fails with a reason).
 */
import { createHttpClient, MarqueeError } from '@marquee/sdk';

export type ControlAction = 'pause' | 'resume' | 'stop';

export interface Viewer {
  readonly kind: 'user' | 'display';
  readonly username?: string;
  readonly role?: string;
}

// Same origin: the session cookie travels with every request.
const http = createHttpClient({ baseUrl: window.location.origin });

/** Why a command failed, in words a person standing at the panel can act on. */
const CONTROL_FAILURES: Readonly<Record<string, string>> = {
  PLAYER_NOT_CONNECTED: 'No player is connected for this session',
  UPSTREAM_TIMEOUT: 'The player did not answer in time',
  PLAYER_DISCONNECTED: 'The player went away before answering',
  FORBIDDEN: 'Only the owner or an admin can control this session',
  UNAUTHORIZED: 'Your sign-in has expired',
  NOT_FOUND: 'This session has ended',
};

export function describeFailure(error: unknown): string {
  if (error instanceof MarqueeError) return CONTROL_FAILURES[error.code] ?? error.message;
  return error instanceof Error ? error.message : 'Something went wrong';
}

/** The signed-in viewer, or undefined when the browser holds no valid session. */
export async function whoAmI(): Promise<Viewer | undefined> {
  try {
    return (await http.request({ path: '/api/v1/auth/me/' })) as Viewer;
  } catch (error) {
    if (error instanceof MarqueeError && (error.status === 401 || error.status === 403))
      return undefined;
    throw error;
  }
}

export async function signIn(username: string, password: string): Promise<Viewer> {
  return (await http.request({
    method: 'POST',
    path: '/api/v1/auth/session/',
    body: { username, password },
  })) as Viewer;
}

export async function signOut(): Promise<void> {
  await http.request({ method: 'DELETE', path: '/api/v1/auth/session/' });
}

/** Resolves once the owning player acknowledged the command. */
export async function sendControl(sessionId: string, action: ControlAction): Promise<void> {
  await http.request({
    method: 'POST',
    path: `/api/dashboard/session/${encodeURIComponent(sessionId)}/control`,
    body: { action },
  });
}
