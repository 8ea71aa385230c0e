/**
 * Screenshots: `POST /screenshot` (the seed's device upload: multipart `device_id`, `media_id`
 * and a JPEG `image_file`) and the admin's view of them. Files are stored under
 * `<dataDir>/signage/screenshots/<sn>/`, one row each in the store.
 *
 * The upload is refused with 400 (the seed's "invalid file") when a field or the file is missing,
 * or the file's bytes are not a raster image (sniffed, whatever the part's declared type or name
 * says; the seed's devices send JPEG); 413 past MARQUEE_MAX_SCREENSHOT_BYTES; 403/404 as for every
 * device route (see `access.ts`). The stored file's extension records the sniffed type, which is
 * what the admin view sends (files from before sniffing are all `.jpg`, and JPEGs).
 *
 * Each device keeps its newest MARQUEE_MAX_SCREENSHOTS_PER_DEVICE screenshots: storing one
 * deletes the rows beyond that, then their files, so a TV that uploads every minute holds a
 * bounded amount of disk however long it runs.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { sniffMedia } from '../../core/media-sniff';
import { pickRoutes } from '../../core/routes';
import { deviceFor } from './access';
import type { SignageFiles } from './files';
import type { FleetEvents } from './fleet-events';
import type { InFlightResponses } from './in-flight';
import {
  findDevice,
  listOf,
  mountSignageRoutes,
  notFound,
  type SignageRouteOptions,
} from './route-helpers';
import type { SignageRepositories } from './store';
import { receiveUpload } from './upload';
import { screenshotRecord } from './views';
import type { StorageMonitor } from '../../core/storage';

const { signage } = protocol;

export interface ScreenshotsOptions extends SignageRouteOptions {
  readonly files: SignageFiles;
  /** Refuses (507) a file the disk cannot take while keeping its reserve. */
  readonly storage: Pick<StorageMonitor, 'ensureRoom'>;
  readonly inFlight: InFlightResponses;
  readonly maxBytes: number;
  /** Screenshots kept per device (the newest). */
  readonly keepPerDevice: number;
  /** Where a stored screenshot is announced to operator consoles. */
  readonly events?: FleetEvents;
}

/**
 * The raster image types a screenshot may be, each with the extension it is stored under (and
 * read back from).
 */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'image/heif': 'heif',
};
const TYPES_BY_EXTENSION = new Map(Object.entries(EXTENSIONS).map(([type, ext]) => [ext, type]));

/** The type of a stored screenshot, from the extension its upload was given. */
function screenshotType(path: string): string {
  return (
    TYPES_BY_EXTENSION.get(path.slice(path.lastIndexOf('.') + 1)) ?? 'application/octet-stream'
  );
}

/** How many screenshots the admin list returns (newest first). */
const LIST_LIMIT = 100;

const uploadRoute = pickRoutes(signage.signageRoutes, ['signage.screenshot']);
const adminRoutes = pickRoutes(signage.signageAdminRoutes, [
  'signage.adminScreenshotList',
  'signage.adminScreenshotView',
]);

/** Screenshots deleted per store call while giving space back. */
const PRUNE_BATCH = 50;

/**
 * Deletes the oldest screenshots of all devices (never a device's newest), rows then files,
 * until `wanted` bytes are freed or none are left; resolves with the bytes freed.
 */
export async function pruneScreenshots(
  store: Pick<SignageRepositories, 'screenshots'>,
  files: SignageFiles,
  wanted: number,
): Promise<number> {
  let freed = 0;
  while (freed < wanted) {
    const pruned = await store.screenshots.pruneOldest(PRUNE_BATCH);
    if (pruned.length === 0) break;
    await files.removeScreenshots(pruned.map((shot) => shot.path));
    for (const shot of pruned) freed += shot.fileSize;
  }
  return freed;
}

export function mountScreenshots(app: FastifyInstance, options: ScreenshotsOptions): void {
  const { store, files } = options;
  const screenshots = store.screenshots;
  mountSignageRoutes(app, uploadRoute, options, {
    'signage.screenshot': async ({ request, identity }) => {
      const upload = await receiveUpload(request, {
        fileField: signage.SCREENSHOT_FILE_FIELD,
        maxBytes: options.maxBytes,
        tmpDir: files.tmpDir,
        ensureRoom: (bytes) => options.storage.ensureRoom(bytes, 'screenshot'),
      });
      try {
        const problems: string[] = [];
        const fields = z.safeParse(signage.ScreenshotFormFields, upload.fields);
        if (!fields.success) {
          for (const issue of fields.error.issues) {
            problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
          }
        }
        const file = upload.file;
        const type = file === undefined ? undefined : sniffMedia(file.head);
        const extension = type === undefined ? undefined : EXTENSIONS[type];
        if (file === undefined) problems.push('image_file: a JPEG file part is required');
        else if (extension === undefined) {
          problems.push(`image_file: the content is ${type}, not an image (JPEG, PNG, WebP ...)`);
        }
        if (problems.length > 0 || !fields.success || file === undefined || !extension) {
          throw new MarqueeError('BAD_REQUEST', `Invalid screenshot: ${problems.join('; ')}`);
        }
        const device = await deviceFor(store, identity, fields.data.device_id);
        const createdAt = new Date(options.now()).toISOString();
        const path = files.screenshotPath(
          device.snNumber,
          `${createdAt.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`,
          extension,
        );
        const target = files.screenshotFile(path);
        await files.place(file.tmpPath, target);
        try {
          await screenshots.create({
            snNumber: device.snNumber,
            mediaId: fields.data.media_id,
            path,
            fileSize: file.size,
            createdAt,
          });
        } catch (error) {
          // No file without its row; a device deleted meanwhile is the seed's 404.
          await files.remove(target);
          await findDevice(store, device.snNumber);
          throw error;
        }
        const pruned = await screenshots.pruneForDevice(device.snNumber, options.keepPerDevice);
        // The rows are gone; a file that cannot be removed now is logged, not the device's error.
        await files.removeScreenshots(pruned).catch((error: unknown) => {
          request.log.warn(
            { err: error, sn_number: device.snNumber },
            'pruning screenshots failed',
          );
        });
        options.events?.device('screenshot', device.snNumber);
        return { message: 'Screenshot uploaded successfully' };
      } finally {
        await upload.discard();
      }
    },
  });

  mountSignageRoutes(app, adminRoutes, options, {
    'signage.adminScreenshotList': async ({ params }) => {
      const device = await findDevice(store, params.sn_number);
      const results = (await screenshots.listForDevice(device.snNumber, LIST_LIMIT)).map(
        screenshotRecord,
      );
      return listOf(results);
    },
    'signage.adminScreenshotView': async ({ params, reply }) => {
      const shot = await screenshots.find(params.screenshot_id);
      const missing = () => notFound(`Screenshot ${params.screenshot_id}`);
      if (shot === undefined) throw missing();
      const path = files.screenshotFile(shot.path);
      const stats = await stat(path).catch(() => undefined);
      if (stats === undefined) throw missing();
      options.inFlight.track(reply.raw);
      return reply
        .type(screenshotType(shot.path))
        .header('x-content-type-options', 'nosniff')
        .header('content-length', stats.size)
        .header('cache-control', 'private, max-age=86400')
        .send(createReadStream(path));
    },
  });
}
