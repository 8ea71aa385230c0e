/** The signed-in person, shared by every view: who, which role, and what a lost session does. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo } from '@marquee/sdk';
import { isSignedOut } from './api';

export interface Session {
  readonly info: SessionInfo;
  /** True (and the console returns to sign-in) when `error` says the session ended. */
  readonly lost: (error: unknown) => boolean;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** Builds the context value; `onLost` runs once per ended session. */
export function makeSession(info: SessionInfo, onLost: () => void): Session {
  return {
    info,
    lost: (error) => {
      if (!isSignedOut(error)) return false;
      onLost();
      return true;
    },
  };
}

export type Area =
  'fleet' | 'pairing' | 'media' | 'playlists' | 'plays' | 'users' | 'dashboards' | 'account';

/** Whether the role may follow the fleet's push channel (operators and admins, as its table says). */
export function followsFleet(info: SessionInfo): boolean {
  return info.kind === 'user' && (info.role === 'admin' || info.role === 'operator');
}

/** What each role may open; the server enforces the same rules on every call. */
export function areasFor(info: SessionInfo): readonly Area[] {
  const role = info.kind === 'user' ? info.role : undefined;
  switch (role) {
    case 'admin':
      return ['fleet', 'pairing', 'media', 'playlists', 'plays', 'users', 'dashboards', 'account'];
    case 'operator':
      return ['fleet', 'pairing', 'media', 'playlists', 'plays', 'dashboards', 'account'];
    case 'viewer':
      // A viewer has nothing to run here: the account first, then the kiosk pages' links.
      return ['account', 'dashboards'];
    case 'device':
    case undefined:
      return ['account'];
  }
}
