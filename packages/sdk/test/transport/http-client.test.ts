import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MarqueeError } from '../../src/errors';
import type { ErrorShape } from '../../src/protocol/common';
import { nowPlayingErrorShape } from '../../src/protocol/now-playing';
import { createHttpClient } from '../../src/transport/http-client';
import { json, refusedUrl, startHttp } from './http-server';

const Echo = z.object({
  method: z.string(),
  url: z.string(),
  body: z.unknown(),
  contentType: z.string().nullable(),
});

describe('requests and validation', () => {
  it('sends method, query and JSON body and returns the validated response', async () => {
    const server = await startHttp((req, res) =>
      json(res, 200, {
        method: req.method,
        url: req.url,
        body: req.body ? (JSON.parse(req.body) as unknown) : null,
        contentType: req.headers['content-type'] ?? null,
      }),
    );
    const http = createHttpClient({ baseUrl: `${server.url}/prefix/` });
    const echo = await http.request({
      method: 'POST',
      path: '/items',
      query: { limit: 5, tags: ['a', 'b'], skip: undefined, none: null, flag: true },
      body: { name: 'x' },
      schema: Echo,
    });
    expect(echo).toEqual({
      method: 'POST',
      url: '/prefix/items?limit=5&tags=a&tags=b&flag=true',
      body: { name: 'x' },
      contentType: 'application/json',
    });
    expect(server.requests[0]?.headers.accept).toBe('application/json');
  });

  it('sends multipart form data', async () => {
    const server = await startHttp((req, res) => json(res, 200, { ok: true }));
    const http = createHttpClient({ baseUrl: server.url });
    const form = new FormData();
    form.append('file', new Blob(['png-bytes'], { type: 'image/png' }), 'shot.png');
    await http.request({ method: 'POST', path: '/upload', formData: form });
    expect(server.requests[0]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(server.requests[0]?.body).toContain('png-bytes');
  });

  it('rejects a response that does not match the schema with INVALID_MESSAGE and the issues', async () => {
    const server = await startHttp((req, res) => json(res, 200, { cpu_percent: 'high' }));
    const http = createHttpClient({ baseUrl: server.url });
    const error = await http
      .request({ path: '/stats', schema: z.object({ cpu_percent: z.number() }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarqueeError);
    expect(error).toMatchObject({
      code: 'INVALID_MESSAGE',
      body: { cpu_percent: 'high' },
      details: [{ path: ['cpu_percent'] }],
    });
  });

  it('treats a non-JSON success body as invalid when a schema is given, and returns it raw otherwise', async () => {
    const server = await startHttp((req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('plain text');
    });
    const http = createHttpClient({ baseUrl: server.url });
    await expect(http.request({ path: '/text', schema: z.object({}) })).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
    });
    await expect(http.request({ path: '/text' })).resolves.toBe('plain text');
    await expect(http.request({ method: 'DELETE', path: '/empty' })).resolves.toBeUndefined();
  });
});

describe('error normalisation', () => {
  const respond = (status: number, body: string, contentType = 'application/json') =>
    createHttpClient({
      baseUrl: 'http://marquee.test',
      fetch: () =>
        Promise.resolve(new Response(body, { status, headers: { 'content-type': contentType } })),
    });

  const cases: Array<{
    name: string;
    status: number;
    body: unknown;
    expected: { code: string; message: string; details?: unknown };
  }> = [
    {
      name: 'now-playing {detail}',
      status: 404,
      body: { detail: 'Session not found' },
      expected: { code: 'NOT_FOUND', message: 'Session not found' },
    },
    {
      name: 'now-playing {detail, code}',
      status: 401,
      body: { detail: 'Token expired', code: 'TOKEN_EXPIRED' },
      expected: { code: 'TOKEN_EXPIRED', message: 'Token expired' },
    },
    {
      name: 'FastAPI validation {detail: [...]}',
      status: 422,
      body: { detail: [{ loc: ['body', 'title'], msg: 'field required', type: 'missing' }] },
      expected: {
        code: 'BAD_REQUEST',
        message: 'field required',
        details: [{ loc: ['body', 'title'], msg: 'field required', type: 'missing' }],
      },
    },
    {
      name: 'media-stack {success:false, error:{code,message}}',
      status: 403,
      body: { success: false, error: { code: 'INSUFFICIENT_PERMISSIONS', message: 'Admins only' } },
      expected: { code: 'INSUFFICIENT_PERMISSIONS', message: 'Admins only' },
    },
    {
      name: 'signage {message, status_code}',
      status: 401,
      body: { message: 'Token has expired', status_code: 401 },
      expected: { code: 'UNAUTHORIZED', message: 'Token has expired' },
    },
    {
      name: 'monitoring {error:{code,message,details}}',
      status: 404,
      body: {
        error: {
          code: 'SERVICE_NOT_FOUND',
          message: "Service 'invalid' not found",
          details: 'Available services: plex, sonarr, radarr',
        },
      },
      expected: {
        code: 'SERVICE_NOT_FOUND',
        message: "Service 'invalid' not found",
        details: 'Available services: plex, sonarr, radarr',
      },
    },
    {
      name: 'gpu {success:false, error, message}',
      status: 500,
      body: { success: false, error: 'model not found', message: 'Failed to load llama2' },
      expected: { code: 'INTERNAL', message: 'Failed to load llama2', details: 'model not found' },
    },
    {
      name: 'an unknown JSON body',
      status: 409,
      body: { whatever: true },
      expected: { code: 'CONFLICT', message: 'HTTP 409' },
    },
  ];

  for (const { name, status, body, expected } of cases) {
    it(`reads ${name}`, async () => {
      const error = await respond(status, JSON.stringify(body))
        .request({ path: '/x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MarqueeError);
      expect(error).toMatchObject({ ...expected, status, body });
      if (!('details' in expected)) expect((error as MarqueeError).details).toBeUndefined();
    });
  }

  it('keeps an excerpt of a non-JSON body (a proxy error page)', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>';
    const error = await respond(502, html, 'text/html')
      .request({ path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', status: 502, body: html });
    expect((error as MarqueeError).message).toContain('502 Bad Gateway');
  });

  it('falls back to the status for an empty body', async () => {
    const error = await respond(503, '')
      .request({ path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, message: 'HTTP 503' });
  });

  it("tries the surface's own error shape first", async () => {
    const shape: ErrorShape = {
      schema: z.object({ oops: z.string() }),
      render: (e) => ({ oops: e.message }),
      read: (body) => {
        const parsed = z.object({ oops: z.string() }).safeParse(body);
        return parsed.success ? { code: 'CUSTOM', message: parsed.data.oops } : undefined;
      },
    };
    const http = createHttpClient({
      baseUrl: 'http://marquee.test',
      errorShape: shape,
      fetch: () => Promise.resolve(Response.json({ oops: 'custom shape' }, { status: 418 })),
    });
    await expect(http.request({ path: '/x' })).rejects.toMatchObject({
      code: 'CUSTOM',
      message: 'custom shape',
      status: 418,
    });

    const nowPlaying = createHttpClient({
      baseUrl: 'http://marquee.test',
      errorShape: nowPlayingErrorShape,
      fetch: () => Promise.resolve(Response.json({ detail: 'Not yours' }, { status: 403 })),
    });
    await expect(nowPlaying.request({ path: '/x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Not yours',
    });
  });

  it('maps a network failure to NETWORK', async () => {
    const http = createHttpClient({ baseUrl: await refusedUrl() });
    const error = await http.request({ path: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarqueeError);
    expect(error).toMatchObject({ code: 'NETWORK', status: 0 });
    expect((error as MarqueeError).cause).toBeInstanceOf(Error);
  });

  it('maps a thrown fetch to NETWORK even when injected', async () => {
    const http = createHttpClient({
      baseUrl: 'http://marquee.test',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(http.request({ path: '/x' })).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('maps a slow server to TIMEOUT', async () => {
    const server = await startHttp(() => undefined); // never answers
    const http = createHttpClient({ baseUrl: server.url, timeoutMs: 50 });
    await expect(http.request({ path: '/slow' })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
