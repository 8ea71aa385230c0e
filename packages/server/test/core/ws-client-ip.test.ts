/**
 * The gateway's per-IP limit must count the same client Fastify's `request.ip` names for the
 * same `trustProxy` setting, and the Origin check the same host as `request.host`; this asks
 * Fastify itself and compares, setting by setting.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/core/config';
import { clientIp, compileTrust, requestHost } from '../../src/core/ws/index';

const settings: Config['trustProxy'][] = [
  false,
  true,
  1,
  3,
  '127.0.0.1',
  '10.0.0.0/8, 127.0.0.1',
  'loopback',
  '192.168.1.1',
];
const forwardedFor = [undefined, '203.0.113.9', '203.0.113.9, 10.0.0.5', '198.51.100.1, 127.0.0.2'];
const peers = ['127.0.0.1', '10.0.0.5', '203.0.113.50'];

describe('clientIp matches Fastify request.ip', () => {
  it.each(settings)('trustProxy %j', async (trustProxy) => {
    // Fastify 5.12's types dropped hop counts while its runtime still takes (and fails closed
    // on) them; the parity check must hand Fastify the very same raw setting.
    const app = Fastify({ trustProxy: trustProxy as boolean | string });
    const trust = compileTrust(trustProxy);
    app.get('/', (request) => ({ fastify: request.ip, ours: clientIp(request.raw, trust) }));
    try {
      for (const peer of peers) {
        for (const xff of forwardedFor) {
          const response = await app.inject({
            url: '/',
            remoteAddress: peer,
            headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
          });
          const { fastify, ours } = response.json<{ fastify: string; ours: string }>();
          expect({ peer, xff, ip: ours }).toEqual({ peer, xff, ip: fastify });
        }
      }
    } finally {
      await app.close();
    }
  });

  it('really uses the forwarded address when the proxy is trusted', async () => {
    const app = Fastify({ trustProxy: 'loopback' });
    const trust = compileTrust('loopback');
    app.get('/', (request) => clientIp(request.raw, trust));
    const response = await app.inject({
      url: '/',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(response.body).toBe('203.0.113.9');
    await app.close();
  });
});

describe('requestHost matches Fastify request.host', () => {
  const forwardedHosts = [undefined, 'marquee.example.com', 'a.example, b.example:8443'];

  it.each(settings)('trustProxy %j', async (trustProxy) => {
    const app = Fastify({ trustProxy: trustProxy as boolean | string });
    const trust = compileTrust(trustProxy);
    app.get('/', (request) => ({ fastify: request.host, ours: requestHost(request.raw, trust) }));
    try {
      for (const peer of peers) {
        for (const xfh of forwardedHosts) {
          const response = await app.inject({
            url: '/',
            remoteAddress: peer,
            headers: {
              host: 'marquee.lan:8000',
              ...(xfh === undefined ? {} : { 'x-forwarded-host': xfh }),
            },
          });
          const { fastify, ours } = response.json<{ fastify: string; ours: string }>();
          expect({ peer, xfh, host: ours }).toEqual({ peer, xfh, host: fastify });
        }
      }
    } finally {
      await app.close();
    }
  });
});
