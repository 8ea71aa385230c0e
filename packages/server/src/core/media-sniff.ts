/**
 * What a file is, from its first bytes. Uploads are typed by their content, never by the
 * client's Content-Type or file name: a declared `image/png` that is really HTML would otherwise
 * be stored, and served, as whatever the client said. `sniffMedia` names a MIME type for the
 * media formats Marquee accepts and for the common things that are not media (HTML, scripts,
 * archives, executables), so a refusal can say what the file really is.
 *
 * Signatures: JPEG, PNG, GIF, WebP, BMP, the ISO base media file format's `ftyp` brands (MP4,
 * M4V, QuickTime, 3GP, AVIF, HEIC/HEIF), QuickTime without `ftyp`, EBML's DocType (WebM,
 * Matroska), RIFF AVI, MPEG transport streams, and SVG (markup whose first element is `<svg>`).
 */

/** How many leading bytes `sniffMedia` looks at; an upload keeps this many for it. */
export const SNIFF_BYTES = 4096;

/** Raster images browsers and players display and never execute. */
export const RASTER_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/avif',
  'image/heic',
  'image/heif',
]);

export const VIDEO_TYPES: ReadonlySet<string> = new Set([
  'video/mp4',
  'video/x-m4v',
  'video/quicktime',
  'video/3gpp',
  'video/3gpp2',
  'video/webm',
  'video/x-matroska',
  'video/x-msvideo',
  'video/mp2t',
]);

/** SVG is markup that can carry script: only ever served sandboxed, as an attachment. */
export const SVG_TYPE = 'image/svg+xml';

/** A type a browser renders without running anything, so it may be served inline. */
export function isPassiveMediaType(mime: string): boolean {
  return RASTER_IMAGE_TYPES.has(mime) || VIDEO_TYPES.has(mime);
}

const ascii = (bytes: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

/** `ftyp` brands, major or compatible, and what they make a file. */
const FTYP_BRANDS: Readonly<Record<string, string>> = {
  avif: 'image/avif',
  avis: 'image/avif',
  heic: 'image/heic',
  heix: 'image/heic',
  heim: 'image/heic',
  heis: 'image/heic',
  hevc: 'image/heic',
  hevx: 'image/heic',
  mif1: 'image/heif',
  msf1: 'image/heif',
  'qt  ': 'video/quicktime',
  'M4V ': 'video/x-m4v',
  M4VH: 'video/x-m4v',
  M4VP: 'video/x-m4v',
  'M4A ': 'audio/mp4',
  'M4B ': 'audio/mp4',
  'M4P ': 'audio/mp4',
  isom: 'video/mp4',
  iso2: 'video/mp4',
  iso3: 'video/mp4',
  iso4: 'video/mp4',
  iso5: 'video/mp4',
  iso6: 'video/mp4',
  iso7: 'video/mp4',
  iso8: 'video/mp4',
  iso9: 'video/mp4',
  mp41: 'video/mp4',
  mp42: 'video/mp4',
  mp71: 'video/mp4',
  avc1: 'video/mp4',
  dash: 'video/mp4',
  MSNV: 'video/mp4',
  'f4v ': 'video/mp4',
  mmp4: 'video/mp4',
  '3gp4': 'video/3gpp',
  '3gp5': 'video/3gpp',
  '3gp6': 'video/3gpp',
  '3gp7': 'video/3gpp',
  '3ge6': 'video/3gpp',
  '3gg6': 'video/3gpp',
  '3g2a': 'video/3gpp2',
  '3g2b': 'video/3gpp2',
  '3g2c': 'video/3gpp2',
};

/** An ISO BMFF file: the first box is `ftyp`; its major brand, else a compatible one, decides. */
function sniffFtyp(head: Uint8Array): string | undefined {
  if (head.length < 12 || ascii(head, 4, 4) !== 'ftyp') return undefined;
  const boxSize = ((head[0] ?? 0) << 24) | ((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8);
  const size = (boxSize | (head[3] ?? 0)) >>> 0;
  const brands = [ascii(head, 8, 4)];
  for (let at = 16; at + 4 <= Math.min(size, head.length); at += 4) brands.push(ascii(head, at, 4));
  const types = brands.map((brand) => FTYP_BRANDS[brand]);
  // A HEIF container (mif1) holding AV1 says so among its compatible brands.
  if (types[0] === 'image/heif' && types.includes('image/avif')) return 'image/avif';
  return types.find((type) => type !== undefined) ?? 'application/x-iso-bmff';
}

/** QuickTime files older than `ftyp` start straight with one of these atoms. */
const QUICKTIME_ATOMS: ReadonlySet<string> = new Set(['moov', 'mdat', 'wide', 'free', 'pnot']);

function isLegacyQuickTime(head: Uint8Array): boolean {
  if (head.length < 8 || !QUICKTIME_ATOMS.has(ascii(head, 4, 4))) return false;
  // An atom size is binary; four printable characters are text that happens to match.
  return [0, 1, 2, 3].some((i) => (head[i] ?? 0) < 0x20 || (head[i] ?? 0) > 0x7e);
}

/** EBML (Matroska, WebM): the header's DocType element (ID 0x4282) names the flavour. */
function sniffEbml(head: Uint8Array): string | undefined {
  if (!startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  for (let at = 4; at + 3 < Math.min(head.length, 64); at++) {
    if (head[at] !== 0x42 || head[at + 1] !== 0x82) continue;
    const sizeByte = head[at + 2] ?? 0;
    // A one-byte size (the form every muxer writes for a short string): 1xxxxxxx.
    if ((sizeByte & 0x80) === 0) continue;
    const docType = ascii(head, at + 3, sizeByte & 0x7f).replace(/\0+$/, '');
    if (docType === 'webm') return 'video/webm';
    if (docType === 'matroska') return 'video/x-matroska';
    return 'application/x-ebml';
  }
  return 'application/x-ebml';
}

/** BMP: `BM` and a DIB header of one of the sizes Windows and OS/2 define. */
function isBmp(head: Uint8Array): boolean {
  if (head.length < 18 || ascii(head, 0, 2) !== 'BM') return false;
  const dib = (head[14] ?? 0) | ((head[15] ?? 0) << 8) | ((head[16] ?? 0) << 16);
  return [12, 40, 52, 56, 64, 108, 124].includes(dib) && head[17] === 0;
}

/** MPEG transport stream: a sync byte every 188 bytes (192 for M2TS, after a 4-byte prefix). */
function isTransportStream(head: Uint8Array): boolean {
  const syncs = (first: number, stride: number) =>
    head.length > first + 2 * stride && [0, 1, 2].every((n) => head[first + n * stride] === 0x47);
  return syncs(0, 188) || syncs(4, 192);
}

const MAGIC: ReadonlyArray<readonly [readonly number[], string]> = [
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [[0x1f, 0x8b], 'application/gzip'],
  [[0x7f, 0x45, 0x4c, 0x46], 'application/x-elf'],
  [[0x4f, 0x67, 0x67, 0x53], 'application/ogg'],
  [[0x49, 0x44, 0x33], 'audio/mpeg'],
  [[0x46, 0x4c, 0x56, 0x01], 'video/x-flv'],
  [[0x00, 0x00, 0x01, 0xba], 'video/mpeg'],
  [[0x49, 0x49, 0x2a, 0x00], 'image/tiff'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'image/tiff'],
  [[0x00, 0x00, 0x01, 0x00], 'image/x-icon'],
];

const RIFF_FORMS: Readonly<Record<string, string>> = {
  WEBP: 'image/webp',
  'AVI ': 'video/x-msvideo',
  WAVE: 'audio/wav',
};

/** Elements that make markup HTML rather than SVG. */
const HTML_ELEMENT =
  /^<(?:!doctype\s+html|html|head|body|script|iframe|meta|title|div|a|img|style)[\s/>]/;

/**
 * Markup: skips a BOM, whitespace, the XML declaration, processing instructions, comments and
 * a DOCTYPE, then looks at the first element. Only a document whose first element is `<svg` is
 * SVG; anything else starting with `<` is HTML or XML.
 */
function sniffMarkup(text: string): string | undefined {
  let rest = text.replace(/^\uFEFF/, '').trimStart();
  if (!rest.startsWith('<')) return undefined;
  let sawXml = false;
  for (;;) {
    rest = rest.trimStart();
    const lower = rest.slice(0, 32).toLowerCase();
    if (lower.startsWith('<?')) {
      sawXml = true;
      const end = rest.indexOf('?>');
      if (end < 0) return 'application/xml';
      rest = rest.slice(end + 2);
    } else if (lower.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) return sawXml ? 'application/xml' : 'text/html';
      rest = rest.slice(end + 3);
    } else if (lower.startsWith('<!doctype')) {
      if (/^<!doctype\s+html[\s>]/.test(lower)) return 'text/html';
      const end = rest.indexOf('>');
      if (end < 0) return 'application/xml';
      rest = rest.slice(end + 1);
    } else if (/^<svg[\s/>]/.test(lower)) {
      return SVG_TYPE;
    } else if (HTML_ELEMENT.test(lower) || !sawXml) {
      return 'text/html';
    } else {
      return 'application/xml';
    }
  }
}

/** Text: valid UTF-8 without NUL bytes or other control characters than tab, CR and LF. */
function isText(head: Uint8Array): boolean {
  let text: string;
  try {
    // Streaming mode: the head may end inside a character cut in half by its limit.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/**
 * The MIME type of a file starting with `head` (give it at least the first `SNIFF_BYTES`, or the
 * whole file when shorter). Never undefined: bytes nothing matches are `text/plain` when they
 * read as text and `application/octet-stream` otherwise.
 */
export function sniffMedia(head: Uint8Array): string {
  for (const [signature, mime] of MAGIC) if (startsWith(head, signature)) return mime;
  const sixBytes = ascii(head, 0, 6);
  if (sixBytes === 'GIF87a' || sixBytes === 'GIF89a') return 'image/gif';
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF') {
    return RIFF_FORMS[ascii(head, 8, 4)] ?? 'application/x-riff';
  }
  const iso = sniffFtyp(head);
  if (iso !== undefined) return iso;
  if (isLegacyQuickTime(head)) return 'video/quicktime';
  const ebml = sniffEbml(head);
  if (ebml !== undefined) return ebml;
  if (isBmp(head)) return 'image/bmp';
  if (isTransportStream(head)) return 'video/mp2t';
  if (startsWith(head, [0x23, 0x21])) return 'text/x-script';
  if (startsWith(head, [0x4d, 0x5a])) return 'application/x-msdownload';
  if (!isText(head)) return 'application/octet-stream';
  return sniffMarkup(new TextDecoder().decode(head)) ?? 'text/plain';
}
