/**
 * Secrets never reach the log: the URL rewriting on its own, then a real server whose log is
 * captured (`logStream`) at the most verbose level, asked with tokens in query strings and
 * credential headers over HTTP and over WebSocket upgrades, accepted and refused. Not one
 * secret may appear anywhere in what it wrote.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { isSensitiveParam, REDACTED, redactUrl } from '../../src/core/log-redaction';
import { startTestServer, type TestServer } from '../helpers/server';

describe('redactUrl', () => {
  it.each([
    ['/gpu?token=abc', `/gpu?token=${REDACTED}`],
    [
      '/ws/cloud/tb_device/?token=eyJ.x.y&sn_number=SN-1',
      `/ws/cloud/tb_device/?token=${REDACTED}&sn_number=SN-1`,
    ],
    [
      '/x?access=a&refresh=r&password=p&page=2',
      `/x?access=${REDACTED}&refresh=${REDACTED}&password=${REDACTED}&page=2`,
    ],
    ['/x?access_token=a&X-Plex-Token=b', `/x?access_token=${REDACTED}&X-Plex-Token=${REDACTED}`],
    [
      '/x?%74oken=a&TOKEN=b&token[]=c',
      `/x?%74oken=${REDACTED}&TOKEN=${REDACTED}&token[]=${REDACTED}`,
    ],
    ['/x?api_key=a&client_secret=b', `/x?api_key=${REDACTED}&client_secret=${REDACTED}`],
    ['/x?token=a&token=b', `/x?token=${REDACTED}&token=${REDACTED}`],
    ['/x?token=a=b=c', `/x?token=${REDACTED}`],
    ['/api/media/thumb/a.png?width=150&height=225', '/api/media/thumb/a.png?width=150&height=225'],
    ['/no/query', '/no/query'],
    ['/x?%E0%A4%A=1&token', '/x?%E0%A4%A=1&token'],
    ['/x?', '/x?'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('leaves ordinary parameters alone', () => {
    for (const name of ['page', 'sn_number', 'profile', 'fields', 'width', 'before', 'limit'])
      expect(isSensitiveParam(name)).toBe(false);
  });
});

describe('a running server', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** Each secret is distinct, so a leak says which path leaked it. */
  const secret = (where: string) => `sekrit-${where}-9f31`;

  function upgrade(url: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.once('error', reject);
    });
  }

  it('logs requests and socket upgrades without a single secret', async () => {
    const log = new PassThrough();
    const lines: string[] = [];
    log.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    t = await startTestServer({ logLevel: 'trace' }, { logStream: log });

    const http = [
      [
        `/api/v1/auth/me/?token=${secret('q-token')}&access=${secret('q-access')}&refresh=${secret('q-refresh')}&password=${secret('q-password')}`,
        {
          authorization: `Bearer ${secret('h-authorization')}`,
          cookie: `marquee_session=${secret('h-cookie')}`,
          'x-api-key': secret('h-api-key'),
          'proxy-authorization': `Basic ${secret('h-proxy')}`,
        },
      ],
      [`/gpu?token=${secret('page-token')}`, {}],
      [`/nowhere?token=${secret('404-token')}`, {}],
      [`/api/dashboard/now-playing?access_token=${secret('q-access-token')}`, {}],
    ] as const;
    for (const [path, headers] of http) {
      const res = await fetch(`${t.url}${path}`, { headers });
      await res.arrayBuffer();
    }

    const headers = { authorization: `Bearer ${secret('ws-authorization')}` };
    // Accepted: the Now Playing socket is open on the LAN and ignores a bad token.
    expect(await upgrade(`${t.wsUrl}/api/dashboard/ws?token=${secret('ws-open')}`, headers)).toBe(
      101,
    );
    // Refused: a signage device socket with a bad token, and a channel that does not exist.
    expect(
      await upgrade(
        `${t.wsUrl}/ws/cloud/tb_device/?token=${secret('ws-refused')}&sn_number=SN-1`,
        headers,
      ),
    ).toBe(401);
    expect(await upgrade(`${t.wsUrl}/nope?token=${secret('ws-unknown')}`, headers)).toBe(404);

    // Whatever logs headers later on is censored too.
    t.server.app.log.info({ headers: { authorization: `Bearer ${secret('logged-headers')}` } });
    t.server.app.log.info({
      upstream: { headers: { cookie: secret('nested-cookie'), 'x-api-key': secret('nested-key') } },
    });

    await t.close();
    t = undefined;
    const text = lines.join('');
    // The log is there and names what happened (so the test cannot pass on an empty log) ...
    expect(text).toContain(`"url":"/api/v1/auth/me/?token=${REDACTED}&access=${REDACTED}`);
    expect(text).toContain(`"url":"/gpu?token=${REDACTED}"`);
    expect(text).toContain(`"url":"/nowhere?token=${REDACTED}"`);
    expect(text).toContain(`"url":"/api/dashboard/ws?token=${REDACTED}"`);
    expect(text).toContain('websocket accepted');
    expect(text).toContain(`"url":"/ws/cloud/tb_device/?token=${REDACTED}&sn_number=SN-1"`);
    expect(text).toMatch(/"status":401[^\n]*websocket refused/);
    expect(text).toContain(`"url":"/nope?token=${REDACTED}"`);
    expect(text).toContain(`"authorization":"${REDACTED}"`);
    // ... and not one secret.
    expect(text).not.toContain('sekrit');
  });
});
