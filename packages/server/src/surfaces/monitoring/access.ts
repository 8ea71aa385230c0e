/**
 * Who may call monitoring, beyond Marquee's own tokens (seed 003's "authentication via
 * Authelia"):
 *
 * 1. A token (Bearer, `?token=` on the socket, the session cookie) is checked as everywhere, and
 *    wins when present.
 * 2. Forward auth: with `MARQUEE_FORWARD_AUTH_GROUPS` set, a request whose direct peer is a proxy
 *    that `MARQUEE_TRUST_PROXY` lists and that carries `Remote-User` is that user, with the highest
 *    role its `Remote-Groups` map to (none mapped: 403). From any other peer the headers are
 *    ignored, so a client cannot name itself.
 * 3. Open reads: with `MARQUEE_MONITORING_OPEN_READS`, a read (`display` policy) with no
 *    credentials from a loopback or private LAN address is let in anonymously.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { MarqueeError } from '@marquee/sdk';
import type { AuthPolicy } from '@marquee/sdk/protocol';
import {
  authenticateRequest,
  authorize,
  credentialsFromRequest,
  type Identity,
} from '../../core/auth';
import type { Config } from '../../core/config';
import type { Role } from '../../core/store/types';
import { clientIp, compileTrust } from '../../core/ws';

/** Roles by rank: a user in several mapped groups gets the highest. */
const RANK: Record<'viewer' | 'operator' | 'admin', number> = { viewer: 0, operator: 1, admin: 2 };
/** A `Remote-User` longer than this, or with control characters, is refused. */
const MAX_USER_LENGTH = 255;

export type MonitoringAccessConfig = Pick<
  Config,
  'trustProxy' | 'forwardAuthGroups' | 'monitoringOpenReads'
>;

/** Authenticates and authorizes one monitoring request or socket upgrade. */
export type MonitoringAccess = (
  req: IncomingMessage,
  policy: AuthPolicy,
  scope: string,
  url?: URL,
) => Promise<Identity | undefined>;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The role the groups map to under `pairs`, or undefined when none is mapped. */
export function roleOfGroups(
  groups: readonly string[],
  pairs: Config['forwardAuthGroups'],
): Role | undefined {
  let best: 'viewer' | 'operator' | 'admin' | undefined;
  for (const [group, role] of pairs) {
    if (!groups.includes(group)) continue;
    if (best === undefined || RANK[role] > RANK[best]) best = role;
  }
  return best;
}

export function createMonitoringAccess(
  auth: { authenticate(token: string): Promise<Identity> },
  config: MonitoringAccessConfig,
): MonitoringAccess {
  const trust = compileTrust(config.trustProxy);
  const lan = proxyAddr.compile(['loopback', 'linklocal', 'uniquelocal']);
  const forwardAuth = config.forwardAuthGroups.length > 0;

  const fromProxy = (req: IncomingMessage): Identity | undefined => {
    if (!forwardAuth || trust === undefined) return undefined;
    const user = header(req, 'remote-user')?.trim();
    if (user === undefined || user === '') return undefined;
    const peer = req.socket.remoteAddress;
    // Only the direct peer's word counts: a client behind the proxy cannot forge its headers.
    if (peer === undefined || !trust(peer, 0)) return undefined;
    // eslint-disable-next-line no-control-regex
    if (user.length > MAX_USER_LENGTH || /[\u0000-\u001f\u007f]/.test(user)) {
      throw new MarqueeError('UNAUTHORIZED', 'Invalid Remote-User header');
    }
    const groups = (header(req, 'remote-groups') ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    const role = roleOfGroups(groups, config.forwardAuthGroups);
    if (role === undefined) {
      throw new MarqueeError(
        'FORBIDDEN',
        'None of the Remote-Groups is mapped to a role (MARQUEE_FORWARD_AUTH_GROUPS)',
      );
    }
    return { kind: 'user', userId: 0, username: user, role, via: 'forward-auth' };
  };

  return async (req, policy, scope, url) => {
    const identity =
      (await authenticateRequest(auth, credentialsFromRequest(req.headers, url))) ?? fromProxy(req);
    if (
      identity === undefined &&
      policy === 'display' &&
      config.monitoringOpenReads &&
      lan(clientIp(req, trust), 0)
    ) {
      return undefined;
    }
    authorize(policy, identity, scope);
    return identity;
  };
}
