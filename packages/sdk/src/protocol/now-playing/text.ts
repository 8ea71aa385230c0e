/**
 * Text cut to a byte budget for small displays. The budget counts the UTF-8 bytes a string takes
 * inside JSON (escapes included), because that is what a panel's parse buffer holds, and a cut
 * never splits a character: it falls between grapheme clusters where the runtime has
 * `Intl.Segmenter` (every current browser and Node), else between code points.
 */

const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;

/** UTF-8 length of `text`; lone surrogates count as the 3-byte replacement they encode to. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** UTF-8 bytes `text` takes inside a JSON string literal, quotes excluded. */
export function jsonStringBytes(text: string): number {
  return utf8Bytes(JSON.stringify(text)) - 2;
}

/**
 * `text` itself when it fits `maxBytes` (see `jsonStringBytes`); otherwise its longest prefix of
 * whole characters, trailing spaces trimmed, followed by `…`, that fits. Empty when `maxBytes`
 * leaves no room for the ellipsis.
 */
export function truncateText(text: string, maxBytes: number): string {
  if (jsonStringBytes(text) <= maxBytes) return text;
  const room = maxBytes - ELLIPSIS_BYTES;
  if (room < 0) return '';
  let used = 0;
  let kept = '';
  for (const character of characters(text)) {
    used += jsonStringBytes(character);
    if (used > room) break;
    kept += character;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

let segmenter: Intl.Segmenter | undefined;

/** The user-perceived characters of `text`, or its code points without `Intl.Segmenter`. */
function characters(text: string): Iterable<string> {
  if (typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') return text;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (part) => part.segment);
}
