/**
 * Fleet admin API, the media library: `POST media/` (multipart `file`, streamed to disk while the
 * server computes size and MD5), `GET media/`, `GET media/{id}/`, and `DELETE media/{id}/`, which
 * is refused with 409 while a playlist uses the file.
 *
 * The type is sniffed from the file's first bytes (core/media-sniff.ts); the part's declared MIME
 * type and the file name's extension are not trusted, so a file declared `image/png` that is
 * really a JPEG is stored as `image/jpeg`, and HTML renamed `logo.png` is refused with 415 naming
 * what it is. Accepted: raster images, SVG (served sandboxed, as an attachment: see
 * media-download.ts) and videos.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { validationError } from '../../core/http-errors';
import { RASTER_IMAGE_TYPES, SVG_TYPE, VIDEO_TYPES, sniffMedia } from '../../core/media-sniff';
import { noContent, pickRoutes, Status } from '../../core/routes';
import { safeFileName, type SignageFiles } from './files';
import {
  found,
  listOf,
  mountSignageRoutes,
  notFound,
  type SignageRouteOptions,
} from './route-helpers';
import { receiveUpload } from './upload';
import { mediaRecord } from './views';
import type { StorageMonitor } from '../../core/storage';

const { signage } = protocol;

/** What a library file is, from its bytes; a 415 naming the detected type when it is no media. */
export function libraryMediaType(head: Uint8Array): {
  readonly mimetype: string;
  readonly mediaType: 'image' | 'video';
} {
  const mimetype = sniffMedia(head);
  if (RASTER_IMAGE_TYPES.has(mimetype) || mimetype === SVG_TYPE) {
    return { mimetype, mediaType: 'image' };
  }
  if (VIDEO_TYPES.has(mimetype)) return { mimetype, mediaType: 'video' };
  throw new MarqueeError(
    'UNSUPPORTED_MEDIA_TYPE',
    `file: the content is ${mimetype}, not an accepted image or video ` +
      '(JPEG, PNG, GIF, WebP, BMP, AVIF, HEIC/HEIF, SVG; MP4, M4V, MOV, 3GP, WebM, Matroska, AVI, MPEG-TS)',
    { details: { detected: mimetype } },
  );
}

export interface AdminMediaOptions extends SignageRouteOptions {
  readonly files: SignageFiles;
  /** Refuses (507) a file the disk cannot take while keeping its reserve. */
  readonly storage: Pick<StorageMonitor, 'ensureRoom'>;
  readonly maxBytes: number;
}

const routes = pickRoutes(signage.signageAdminRoutes, [
  'signage.adminMediaUpload',
  'signage.adminMediaList',
  'signage.adminMediaGet',
  'signage.adminMediaDelete',
]);

export function mountAdminMedia(app: FastifyInstance, options: AdminMediaOptions): void {
  const { store, files } = options;
  const media = store.media;
  const find = async (id: number) => found(await media.find(id), `Media ${id}`);

  mountSignageRoutes(app, routes, options, {
    'signage.adminMediaUpload': async ({ request }) => {
      const upload = await receiveUpload(request, {
        fileField: signage.MEDIA_FILE_FIELD,
        maxBytes: options.maxBytes,
        tmpDir: files.tmpDir,
        ensureRoom: (bytes) => options.storage.ensureRoom(bytes, 'media upload'),
      });
      try {
        const fields = z.safeParse(signage.MediaUploadFields, upload.fields);
        if (!fields.success) throw validationError(fields.error, 'body');
        const file = upload.file;
        if (file === undefined) {
          throw new MarqueeError('BAD_REQUEST', 'file: a file part named "file" is required');
        }
        if (file.size === 0) throw new MarqueeError('BAD_REQUEST', 'file: the file is empty');
        const name = safeFileName(fields.data.media_name ?? file.filename, 'media');
        const { mimetype, mediaType } = libraryMediaType(file.head);
        // The file is renamed into place inside the row's transaction, before its commit: a
        // crash leaves a file without a row (the start-up sweep removes it), never the reverse.
        let placed: string | undefined;
        const record = await media
          .create(
            {
              mediaName: name,
              mediaType,
              mimetype,
              fileSize: file.size,
              checksum: file.md5,
              createdAt: new Date(options.now()).toISOString(),
            },
            (id) => files.mediaPath(id, mediaType, name),
            (path) => {
              const target = files.mediaFile(path);
              files.placeSync(file.tmpPath, target);
              placed = target;
            },
          )
          .catch(async (error: unknown) => {
            if (placed !== undefined) await files.remove(placed);
            throw error;
          });
        return new Status(201, mediaRecord(record, files, []));
      } finally {
        await upload.discard();
      }
    },
    'signage.adminMediaList': async () => {
      const results = await Promise.all(
        (await media.list()).map(async (m) => mediaRecord(m, files, await media.usedBy(m.id))),
      );
      return listOf(results);
    },
    'signage.adminMediaGet': async ({ params }) => {
      const record = await find(params.media_id);
      return mediaRecord(record, files, await media.usedBy(record.id));
    },
    'signage.adminMediaDelete': async ({ params }) => {
      const record = await find(params.media_id);
      if (!(await media.delete(record.id))) throw notFound(`Media ${params.media_id}`);
      await files.remove(files.mediaFile(record.path));
      return noContent();
    },
  });
}
