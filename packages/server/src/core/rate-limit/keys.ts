/**
 * Rate-limit keys for client addresses. An IPv6 client usually holds a whole /64, so its
 * addresses count as one (the plugin's `normalizeIP`, which also folds IPv4-mapped addresses to
 * IPv4); otherwise a single machine could pick a fresh address for every attempt.
 */
import { normalizeIP } from '@fastify/rate-limit';

/** The counter key of a client address. */
export function addressKey(ip: string): string {
  return normalizeIP(ip);
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms: this machine. */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(?:::ffff:)?127\./i.test(ip);
}
