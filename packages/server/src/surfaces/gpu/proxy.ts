/**
 * The Ollama proxy (`/api/ollama/{path}` → `OLLAMA_HOST/{path}`), as seed 004 configures it:
 * guarded by the proxy token when PROXY_AUTH_ENABLED, bodies over MAX_PROXY_REQUEST_SIZE refused
 * with 413 (by Content-Length before reading, or mid-stream for chunked bodies), and 504 when
 * Ollama sends no answer within PROXY_TIMEOUT_SECONDS. Bodies pass through as streams both ways,
 * so a 4 GB blob upload is never buffered and a chat answer streams token by token; once an
 * answer streams, the same limit applies to the silence between chunks (as Python `requests`
 * applies its read timeout), so a long generation is not cut off while it is producing.
 */
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../core/config';
import { sendError } from '../../core/http-errors';
import { checkProxyToken } from './proxy-auth';

export type OllamaProxyConfig = Pick<
  Config,
  | 'ollamaHost'
  | 'proxyAuthEnabled'
  | 'proxyAuthToken'
  | 'maxProxyRequestSize'
  | 'proxyTimeoutSeconds'
>;

export interface OllamaProxyOptions {
  readonly app: FastifyInstance;
  readonly config: OllamaProxyConfig;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The table's path with its `{path}` placeholder as Fastify's wildcard. */
const PREFIX = protocol.gpu.gpuProxyRoutes[0].path.replace('{path}', '');

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus what fetch rewrites. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-encoding',
  'authorization',
  'cookie',
  'set-cookie',
]);

class BodyTooLarge extends Error {}

/** Streams `source`, failing once more than `max` bytes went through. */
async function* limited(source: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > max) throw new BodyTooLarge();
    yield chunk;
  }
}

function tooLarge(max: number): MarqueeError {
  return new MarqueeError(
    'PAYLOAD_TOO_LARGE',
    `The request body exceeds MAX_PROXY_REQUEST_SIZE (${max} bytes)`,
  );
}

/** Fails the stream when nothing passed through it for `ms`. */
function idleWatchdog(ms: number, onIdle: () => void): Transform {
  let timer = setTimeout(onIdle, ms);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      clearTimeout(timer);
      timer = setTimeout(onIdle, ms);
      callback(null, chunk);
    },
    flush(callback) {
      clearTimeout(timer);
      callback();
    },
    destroy(error, callback) {
      clearTimeout(timer);
      callback(error);
    },
  });
}

export function mountOllamaProxy(options: OllamaProxyOptions): void {
  const { config } = options;
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = config.proxyTimeoutSeconds * 1000;
  const upstream = new URL(config.ollamaHost);

  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    checkProxyToken(config, request.headers.authorization);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > config.maxProxyRequestSize) {
      throw tooLarge(config.maxProxyRequestSize);
    }
    const rest = (request.params as Record<string, string | undefined>)['*'] ?? '';
    const query = request.url.indexOf('?');
    const target = `${config.ollamaHost}/${rest}${query === -1 ? '' : request.url.slice(query)}`;
    // The target is built by concatenation, never resolution, and checked: no other host.
    if (!URL.canParse(target) || new URL(target).origin !== upstream.origin) {
      throw new MarqueeError('BAD_REQUEST', 'Invalid proxy path');
    }

    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || NOT_FORWARDED.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const stream = request.body instanceof Readable ? request.body : undefined;
    const controller = new AbortController();
    let timedOut = false;
    const expire = () => {
      timedOut = true;
      controller.abort();
    };
    const timer = setTimeout(expire, timeoutMs);
    const body = stream
      ? (Readable.toWeb(
          Readable.from(limited(stream, config.maxProxyRequestSize)),
        ) as unknown as ReadableStream<Uint8Array>)
      : undefined;
    // `duplex: 'half'` is what fetch requires to send a streamed body.
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers,
      signal: controller.signal,
      ...(body ? { body, duplex: 'half' } : {}),
    };
    let answer: Response;
    try {
      answer = await fetchImpl(target, init);
    } catch (error) {
      if (timedOut) {
        throw new MarqueeError(
          'UPSTREAM_TIMEOUT',
          `Ollama did not answer within PROXY_TIMEOUT_SECONDS (${config.proxyTimeoutSeconds} s)`,
        );
      }
      if (error instanceof BodyTooLarge || (error as Error).cause instanceof BodyTooLarge) {
        throw tooLarge(config.maxProxyRequestSize);
      }
      throw new MarqueeError(
        'SERVICE_UNAVAILABLE',
        `Ollama is not reachable at ${config.ollamaHost}. Is it running? OLLAMA_HOST tells Marquee where it listens.`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }

    reply.code(answer.status);
    for (const [name, value] of answer.headers) {
      if (!NOT_FORWARDED.has(name)) void reply.header(name, value);
    }
    if (!answer.body || request.method === 'HEAD') {
      void answer.body?.cancel();
      return reply.send();
    }
    const output = Readable.fromWeb(answer.body as NodeReadableStream<Uint8Array>);
    const watchdog = idleWatchdog(timeoutMs, () => {
      watchdog.destroy(new Error('Ollama went silent mid-answer'));
    });
    // Whichever end fails or goes away (Ollama silent, the client disconnecting mid-generation),
    // both streams are torn down and Ollama's request is aborted, so it stops generating.
    pipeline(output, watchdog, (error) => {
      if (error) controller.abort();
    });
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    return reply.send(watchdog);
  };

  void options.app.register((scope, _opts, next) => {
    // Bodies stay unread streams here: the proxy forwards them as they arrive.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.route({
      method: ['GET', 'POST', 'DELETE'],
      url: `${PREFIX}*`,
      errorHandler: (error, request, reply) =>
        sendError(request, reply, protocol.gpu.gpuErrorShape, error),
      handler: forward,
    });
    next();
  });
}
