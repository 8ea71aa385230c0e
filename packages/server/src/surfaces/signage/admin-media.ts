/**
 * Fleet admin API, the media library: `POST media/` (multipart `file`, streamed to disk while the
 * server computes size and MD5), `GET media/`, `GET media/{id}/`, and `DELETE media/{id}/`, which
 * is refused with 409 while a playlist uses the file.
 *
 * The type comes from the part's declared MIME type, or from the file name's extension when the
 * client sent `application/octet-stream`; anything that is neither an image nor a video is 415.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { validationError } from '../../core/http-errors';
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

const { signage } = protocol;

const BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  avif: 'image/avif',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  ts: 'video/mp2t',
};

/** The MIME type to store: the declared one unless it says nothing, then the extension's. */
export function mediaMimetype(declared: string, name: string): string {
  const type = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && type !== 'application/octet-stream') return type;
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return BY_EXTENSION[ext] ?? (type || 'application/octet-stream');
}

export interface AdminMediaOptions extends SignageRouteOptions {
  readonly files: SignageFiles;
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
        const mimetype = mediaMimetype(file.mimetype, name);
        const mediaType = mimetype.startsWith('image/')
          ? 'image'
          : mimetype.startsWith('video/')
            ? 'video'
            : undefined;
        if (mediaType === undefined) {
          throw new MarqueeError(
            'UNSUPPORTED_MEDIA_TYPE',
            `file: ${mimetype} is neither an image nor a video`,
          );
        }
        const record = await media.create(
          {
            mediaName: name,
            mediaType,
            mimetype,
            fileSize: file.size,
            checksum: file.md5,
            createdAt: new Date(options.now()).toISOString(),
          },
          (id) => files.mediaPath(id, mediaType, name),
        );
        try {
          await files.place(file.tmpPath, files.mediaFile(record.path));
        } catch (error) {
          await media.delete(record.id);
          throw error;
        }
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
