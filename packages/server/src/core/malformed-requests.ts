/**
 * Requests that break before any route sees them, answered in the error shape of the surface
 * their path falls under (like unknown paths), not in Fastify's or Node's generic shape:
 *
 * - `frameworkErrors`: a URL whose percent-encoding does not decode (`/media/%zz`, `%c3%28`),
 *   which Fastify's router refuses with `FST_ERR_BAD_URL`: 400; a path parameter over the
 *   router's `maxParamLength`: 414.
 * - `clientErrorHandler`: what Node's HTTP parser refuses (a request line or headers over the
 *   16 KB limit: 431; a malformed request: 400; a request that took too long: 408). The socket is
 *   answered by hand and closed, since no request object exists; the path comes from the bytes
 *   received so far.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { MarqueeError, codeForStatus } from '@marquee/sdk';
import type { ErrorShape } from '@marquee/sdk/protocol';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './http-errors';

/** The error shape of the surface `url` falls under. */
export type ShapeFor = (url: string) => ErrorShape;

/** Fastify's `frameworkErrors` option. */
export function frameworkErrorHandler(
  shapeFor: ShapeFor,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    // Fastify's own messages quote the whole URL, up to 16 KB of it.
    const refusal =
      error.code === 'FST_ERR_BAD_URL'
        ? new MarqueeError('BAD_REQUEST', 'The URL has a malformed percent-encoding', {
            cause: error,
          })
        : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new MarqueeError('BAD_REQUEST', 'A path parameter is too long', {
              status: 414,
              cause: error,
            })
          : error;
    sendError(request, reply, shapeFor(request.url), refusal);
  };
}

/** Status for an error of Node's HTTP parser. */
function clientErrorStatus(code: string): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/** The path of the request line in `raw` (what the parser had received), or `/`. */
function pathOf(raw: unknown): string {
  // Node hands the bytes as a Buffer (Fastify's types describe its JSON form).
  if (!Buffer.isBuffer(raw)) return '/';
  const line = raw.subarray(0, 8192).toString('latin1').split('\r\n', 1)[0] ?? '';
  return line.split(' ')[1] ?? '/';
}

/** Fastify's `clientErrorHandler` option. */
export function clientErrorHandler(
  shapeFor: ShapeFor,
): (error: ConnectionError, socket: Socket) => void {
  return (error, socket) => {
    // ECONNRESET and the like: the peer is gone, there is nobody to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error.code);
    const message =
      status === 431
        ? 'The request line or headers are larger than 16 KB'
        : status === 408
          ? 'The request took too long'
          : 'Malformed HTTP request';
    const body = JSON.stringify(
      shapeFor(pathOf(error.rawPacket)).render({ status, code: codeForStatus(status), message }),
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  };
}
