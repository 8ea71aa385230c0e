/**
 * Renders a poster thumbnail with sharp (libvips): EXIF orientation applied, fitted inside the
 * box with the aspect ratio kept and never enlarged, transparency flattened onto black (panels
 * draw on black), encoded as a BASELINE JPEG — the ESP32 decoders (TJpgDec and friends) cannot
 * read progressive ones. A file that is not a supported image answers 415; one in a supported
 * format that fails to decode (truncated, corrupt) answers 422. Neither is a 500.
 */
import { MarqueeError } from '@marquee/sdk';
import sharp from 'sharp';

/** Input formats posters come in; anything else (SVG, PDF, raw ...) is refused with 415. */
const SUPPORTED_FORMATS: ReadonlySet<string> = new Set([
  'jpeg',
  'png',
  'webp',
  'gif',
  'avif',
  'heif',
  'tiff',
]);

/** Refuse decompression bombs: a poster never needs more than 100 megapixels. */
const MAX_INPUT_PIXELS = 100_000_000;

/** JPEG quality: small enough for a panel's RAM, sharp enough for a 150×225 poster. */
const JPEG_QUALITY = 80;

export interface ThumbBox {
  readonly width: number;
  readonly height: number;
}

export async function renderThumb(input: Uint8Array, box: ThumbBox): Promise<Buffer> {
  let format: string | undefined;
  try {
    ({ format } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata());
  } catch (error) {
    throw new MarqueeError('UNSUPPORTED_MEDIA_TYPE', 'The file is not an image sharp can read', {
      cause: error,
    });
  }
  if (!SUPPORTED_FORMATS.has(format)) {
    throw new MarqueeError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Unsupported image format "${format}": thumbnails are made from ${[...SUPPORTED_FORMATS].join(', ')}`,
    );
  }
  try {
    return await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize({
        width: box.width,
        height: box.height,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .flatten({ background: '#000000' })
      .jpeg({ quality: JPEG_QUALITY, progressive: false, mozjpeg: false })
      .toBuffer();
  } catch (error) {
    throw new MarqueeError(
      'UNPROCESSABLE_IMAGE',
      `The ${format} image cannot be decoded (corrupt, truncated or too large)`,
      { status: 422, cause: error },
    );
  }
}
