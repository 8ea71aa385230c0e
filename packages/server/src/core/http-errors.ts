/**
 * Turns anything a request can throw into a MarqueeError, so every surface renders one error
 * model in its own documented shape. Nothing reaches the client as an unexplained 500: Fastify's
 * own 4xx errors (bad JSON, body too large, wrong content type) keep their status with a clear
 * message, and unexpected errors are logged and rendered without internals.
 */
import { MarqueeError, codeForStatus, toMarqueeError, type protocol } from '@marquee/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { retryAfterOf } from './rate-limit/retry-later';
import { storageError, storageFaultKind, type StorageMonitor } from './storage';
import { transientDatabaseFault } from './store/postgres/engine';

declare module 'fastify' {
  interface FastifyInstance {
    /** The data directory's disk (core/storage.ts); absent on an app built without one. */
    storage?: StorageMonitor;
  }
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function isFastifyClientError(error: unknown): error is FastifyLikeError & Error {
  if (!(error instanceof Error)) return false;
  const status = (error as FastifyLikeError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'Malformed JSON body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type',
};

/** Normalises an error thrown while handling a request. */
export function normaliseRequestError(error: unknown): MarqueeError {
  if (error instanceof MarqueeError) return error;
  if (error instanceof ZodError) return validationError(error, 'body');
  if (isFastifyClientError(error)) {
    const status = error.statusCode ?? 400;
    const known = error.code === undefined ? undefined : FASTIFY_MESSAGES[error.code];
    if (known === undefined && error.code === undefined) {
      // A plain 4xx from a plugin: keep its message.
      return new MarqueeError(codeForStatus(status), error.message, { status, cause: error });
    }
    return new MarqueeError(codeForStatus(status), known ?? error.message, {
      status,
      cause: error,
    });
  }
  const fault = storageFaultKind(error);
  if (fault !== undefined) return storageError(fault, error);
  if (transientDatabaseFault(error)) {
    // PostgreSQL: the connection lost, a statement cancelled, a serialization failure. The
    // transaction was rolled back and the pool opens a new connection: the next request works.
    return new MarqueeError(
      'SERVICE_UNAVAILABLE',
      'The database could not complete this request (connection lost or request interrupted); try again',
      { cause: error },
    );
  }
  if (error instanceof SyntaxError) {
    return new MarqueeError('BAD_REQUEST', 'Malformed JSON body', { cause: error });
  }
  return toMarqueeError(error);
}

/** A 400 naming each invalid field: `body.brightness: Too big: expected number to be <=100`. */
export function validationError(
  error: ZodError,
  where: 'body' | 'query' | 'params' | 'message',
): MarqueeError {
  const issues = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const message = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new MarqueeError('BAD_REQUEST', `Invalid ${where}: ${message}`, {
    details: issues,
    cause: error,
  });
}

/** Sends `error` in the surface's documented shape; logs server-side failures. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  shape: protocol.ErrorShape,
  error: unknown,
): void {
  const monitor = request.server.storage;
  const fault = error instanceof MarqueeError ? undefined : monitor?.classify(error);
  const err = fault === undefined ? normaliseRequestError(error) : storageError(fault, error);
  const status = err.status >= 400 && err.status <= 599 ? err.status : 500;
  if (fault !== undefined && monitor !== undefined) {
    // Logged with what could not be written and the free space left.
    monitor.record(fault, error, `${request.method} ${request.routeOptions.url ?? request.url}`);
  } else if (status >= 500) request.log.error({ err: error }, 'request failed');
  const message = status >= 500 && err.code === 'INTERNAL' ? 'Internal server error' : err.message;
  const body = shape.render({ status, code: err.code, message, details: err.details });
  const retryAfter = retryAfterOf(err);
  if (retryAfter !== undefined) void reply.header('retry-after', retryAfter);
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}
