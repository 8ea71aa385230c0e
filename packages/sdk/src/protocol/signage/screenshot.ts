/**
 * `POST /screenshot`: a device uploads what it is showing, as multipart/form-data with the
 * text fields below and the JPEG in the `image_file` part.
 */
import * as z from 'zod/mini';
import { positiveInt } from '../primitives';

/** Multipart field name of the screenshot file (JPEG). */
export const SCREENSHOT_FILE_FIELD = 'image_file';

/** The text fields as typed values (what a client builds the form from). */
export const ScreenshotFields = z
  .object({
    /** The device's `sn_number`. */
    device_id: z.string().check(z.minLength(1), z.maxLength(255)),
    /** The media item on screen when the screenshot was taken. */
    media_id: positiveInt,
  })
  .register(z.globalRegistry, { id: 'SignageScreenshotFields' });
export type ScreenshotFields = z.infer<typeof ScreenshotFields>;

/**
 * The text fields as the server receives them: multipart values are strings, so `media_id`
 * arrives as `"1001"` and is coerced. The file part is read by the server's multipart reader
 * and is not part of this schema.
 */
export const ScreenshotFormFields = z
  .object({
    device_id: z.string().check(z.minLength(1), z.maxLength(255)),
    media_id: z.coerce.number().check(z.int(), z.minimum(1)),
  })
  .register(z.globalRegistry, { id: 'SignageScreenshotFormFields' });
export type ScreenshotFormFields = z.infer<typeof ScreenshotFormFields>;

export const ScreenshotResponse = z
  .object({ message: z.string() })
  .register(z.globalRegistry, { id: 'SignageScreenshotResponse' });
export type ScreenshotResponse = z.infer<typeof ScreenshotResponse>;
