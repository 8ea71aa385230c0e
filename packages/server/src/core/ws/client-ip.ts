/**
 * The client address and the host an upgrade request was sent to, computed exactly as Fastify
 * computes `request.ip` and `request.host` for the same `trustProxy` setting, so a per-IP limit on
 * sockets counts the same clients as anything keyed on `request.ip` over HTTP, and the Origin
 * check compares against the same host. Mirrors `getTrustProxyFn` and the `host` getter in
 * fastify/lib/request.js and uses the same `@fastify/proxy-addr` package.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../config';

/** Whether the hop at index `hop` (0 = the socket peer) with address `addr` is a trusted proxy. */
export type TrustFn = (addr: string, hop: number) => boolean;

/**
 * Compiles `config.trustProxy` the way Fastify does. `undefined` means "trust nothing": the
 * socket peer is the client and X-Forwarded-For is ignored.
 *
 * - `false` / `''`: trust nothing.
 * - `true`: trust every hop; the client is the left-most X-Forwarded-For entry.
 * - a hop count: Fastify 5 fails closed here (a count cannot validate the immediate peer, so a
 *   direct client could spoof the header); the peer address wins, as it does in Fastify.
 * - a string: comma-separated addresses, CIDRs or `loopback` / `linklocal` / `uniquelocal`.
 */
export function compileTrust(trustProxy: Config['trustProxy']): TrustFn | undefined {
  if (trustProxy === false || trustProxy === '') return undefined;
  if (trustProxy === true) return () => true;
  if (typeof trustProxy === 'number') return () => false;
  return proxyAddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
}

/** The client address of `req` under `trust` (see {@link compileTrust}). */
export function clientIp(req: IncomingMessage, trust: TrustFn | undefined): string {
  const peer = req.socket.remoteAddress ?? '';
  if (trust === undefined) return peer;
  const chain = proxyAddr.all(req, trust);
  return chain[chain.length - 1] ?? peer;
}

/**
 * The host (`name[:port]`) `req` was sent to: the last `X-Forwarded-Host` entry when the peer is a
 * trusted proxy, else the `Host` header ('' when there is none).
 */
export function requestHost(req: IncomingMessage, trust: TrustFn | undefined): string {
  const header = req.headers['x-forwarded-host'];
  const forwarded = Array.isArray(header) ? header.join(',') : header;
  const peer = req.socket.remoteAddress;
  if (trust !== undefined && forwarded && peer !== undefined && trust(peer, 0)) {
    const last = forwarded.lastIndexOf(',');
    return last === -1 ? forwarded.trim() : forwarded.slice(last + 1).trim();
  }
  return req.headers.host ?? '';
}
