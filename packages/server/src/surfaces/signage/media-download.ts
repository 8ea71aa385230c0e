/**
 * `GET /media/{path}`: the `media_url` of every media item. Operators and admins may download any
 * item; a device account only those that a playlist on one of its devices uses (403 otherwise).
 * Only paths recorded in the store are served, so no request can reach another file on disk.
 *
 * Resuming is what this route is for: a device that lost its connection half-way asks for
 * `Range: bytes=N-` with `If-Range: <etag>` and gets 206 with the rest, or 200 with the whole
 * file if it changed. The ETag is the file's MD5 (the item's `checksum`), strong, so it is the
 * same on every server sharing the store.
 *
 * Served types: the type stored with the item (sniffed from the bytes at upload), never one derived
 * from the request, and every answer under `/media/` — errors included — says
 * `X-Content-Type-Options: nosniff`, so a browser never second-guesses it. A type that is not a
 * passive raster image or video (SVG, or whatever an older upload was stored as) could run script
 * on this origin if rendered as a document: it is sent as an attachment under a sandboxing CSP.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { isOperator } from '../../core/auth';
import { validationError } from '../../core/http-errors';
import { isPassiveMediaType } from '../../core/media-sniff';
import { pickRoutes } from '../../core/routes';
import { requireUser } from './access';
import { decideRange, ifRangeHolds, noneMatch, notModifiedSince } from './byte-range';
import type { SignageFiles } from './files';
import type { InFlightResponses } from './in-flight';
import { mountSignageRoutes, type SignageRouteOptions } from './route-helpers';

const { signage } = protocol;

/** Files never change under a URL (a new upload is a new id), but tokens do: cache privately. */
const CACHE_CONTROL = 'private, max-age=86400';

/**
 * For files a browser would render as an active document (SVG): no script, no plugins, no
 * requests, a unique origin; inline styles only, which SVG drawings use for their looks.
 */
const ACTIVE_MEDIA_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'";

/** The URL prefix of library files; every response under it is marked nosniff. */
const MEDIA_PREFIX = '/media/';

/** A header node may hand over as an array; the first value is the one that counts. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export interface MediaDownloadOptions extends SignageRouteOptions {
  readonly files: SignageFiles;
  readonly inFlight: InFlightResponses;
}

export function mountMediaDownload(app: FastifyInstance, options: MediaDownloadOptions): void {
  const { store, files } = options;
  // Fastify's wildcard carries the slashes of `{path}`; the table's params schema still checks it.
  const [table] = pickRoutes(signage.signageRoutes, ['signage.mediaDownload']);
  if (table === undefined) throw new Error('signage.mediaDownload is missing from the table');
  const { params: paramsSchema, ...rest } = table;
  const route = { ...rest, path: table.path.replace('{path}', '*') };

  // A hook rather than the handler: refusals (401, 404) are answered before the handler runs.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith(MEDIA_PREFIX))
      void reply.header('x-content-type-options', 'nosniff');
    done();
  });

  mountSignageRoutes(app, [route] as const, options, {
    'signage.mediaDownload': async ({ request, reply, identity }) => {
      const user = requireUser(identity);
      // zod's function form yields classic ZodErrors whatever flavour the schema is.
      const parsed = z.safeParse(paramsSchema, {
        path: (request.params as { '*'?: unknown })['*'],
      });
      if (!parsed.success) throw validationError(parsed.error, 'params');
      const media = await store.media.findByPath(parsed.data.path);
      const notFound = () =>
        new MarqueeError('NOT_FOUND', `No media at /media/${parsed.data.path}`);
      if (media === undefined) throw notFound();
      // A device account gets the media its own devices' playlists use, and nothing else.
      if (!isOperator(user.role) && !(await store.media.reachableBy(media.id, user.userId))) {
        throw new MarqueeError(
          'FORBIDDEN',
          "No playlist of this account's devices uses this media",
        );
      }
      const path = files.mediaFile(media.path);
      const stats = await stat(path).catch(() => undefined);
      if (stats === undefined || !stats.isFile()) throw notFound();

      const size = stats.size;
      const etag = `"${media.checksum}"`;
      const lastModified = new Date(media.createdAt).toUTCString();
      void reply
        .header('etag', etag)
        .header('last-modified', lastModified)
        .header('accept-ranges', 'bytes')
        .header('cache-control', CACHE_CONTROL);

      const headers = request.headers;
      const ifNoneMatch = headers['if-none-match'];
      if (
        noneMatch(ifNoneMatch, etag) ||
        (ifNoneMatch === undefined && notModifiedSince(headers['if-modified-since'], lastModified))
      ) {
        return reply.code(304).send();
      }

      const range = ifRangeHolds(first(headers['if-range']), etag, lastModified)
        ? decideRange(first(headers.range), size)
        : ({ kind: 'full' } as const);
      if (range.kind === 'unsatisfiable') {
        const error = {
          status: 416,
          code: 'RANGE_NOT_SATISFIABLE',
          message: `The file has ${size} bytes; the requested range is outside it`,
        };
        return reply
          .code(416)
          .header('content-range', `bytes */${size}`)
          .type('application/json; charset=utf-8')
          .send(signage.signageErrorShape.render(error));
      }
      void reply.type(media.mimetype);
      if (!isPassiveMediaType(media.mimetype)) {
        // Stored paths are URL-safe already; a quoted header value must not end early regardless.
        const name = (media.path.split('/').pop() ?? 'media').replace(/[^A-Za-z0-9._-]/g, '_');
        void reply
          .header('content-security-policy', ACTIVE_MEDIA_CSP)
          .header('content-disposition', `attachment; filename="${name}"`);
      }
      options.inFlight.track(reply.raw);
      if (range.kind === 'partial') {
        return reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1)
          .send(createReadStream(path, { start: range.start, end: range.end }));
      }
      return reply.code(200).header('content-length', size).send(createReadStream(path));
    },
  });
}
