/**
 * `GET /api/media/avatar/{username}`: what a Now Playing session's `avatar_url` points at (seed
 * 000 shows `"/api/media/avatar/john"`). Marquee keeps no pictures of people, so an avatar is the
 * name's initials on a colour derived from the name: the same user gets the same avatar on every
 * screen, without an upload or a third-party service. Open like the thumbnails (displays fetch it
 * without credentials); the name is in the URL already, so the picture reveals nothing more.
 *
 * The SVG is built from escaped text only and served with a CSP that forbids scripts, so a
 * hostile name cannot turn it into active content.
 */
import { createHash } from 'node:crypto';
import { protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { mountRoutes, pickRoutes, type Authenticator } from '../../core/routes';
import { etagMatches, etagOf } from './thumb-cache';

const { media, nowPlaying } = protocol;

const SIZE = 96;
const CACHE_CONTROL = 'public, max-age=86400';
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Up to two initials: the first letters of the first and last words (`Mary Ann Lee` → `ML`). */
export function initials(name: string): string {
  // An e-mail address counts by its local part (`jane.doe@example.com` → `JD`).
  const words = name
    .replace(/(?<=.)@.*$/su, '')
    .split(/[\s._@-]+/u)
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
  const first = (word: string | undefined) => {
    if (word === undefined) return '';
    for (const { segment } of graphemes.segment(word)) {
      if (/[\p{L}\p{N}]/u.test(segment)) return segment.toLocaleUpperCase();
    }
    return '';
  };
  const picked = words.length > 1 ? [words[0], words.at(-1)] : [words[0]];
  const text = picked.map(first).join('');
  return text === '' ? '?' : text;
}

/** A hue in [0, 360) from the name, case-insensitively, so `John` and `john` match. */
export function hueOf(name: string): number {
  return createHash('sha256').update(name.toLocaleLowerCase()).digest().readUInt16BE(0) % 360;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The avatar of `name` as a square SVG document. */
export function avatarSvg(name: string): string {
  const letters = initials(name);
  const label = escapeXml(name);
  const text = escapeXml(letters);
  const fontSize = [...graphemes.segment(letters)].length > 1 ? 38 : 46;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${label}">` +
    `<title>${label}</title>` +
    `<circle cx="${SIZE / 2}" cy="${SIZE / 2}" r="${SIZE / 2}" fill="hsl(${hueOf(name)} 50% 40%)"/>` +
    `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" fill="#fff" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="${fontSize}" font-weight="600">${text}</text>` +
    `</svg>`
  );
}

export interface AvatarsOptions {
  readonly authenticate: Authenticator;
  readonly validateResponses?: boolean;
}

export function mountAvatars(app: FastifyInstance, options: AvatarsOptions): void {
  mountRoutes(app, pickRoutes(media.mediaRoutes, ['media.avatar']), {
    surface: nowPlaying.nowPlayingSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses ?? false,
    handlers: {
      'media.avatar': ({ params, request, reply }) => {
        const svg = avatarSvg(params.username);
        const etag = etagOf(createHash('sha256').update(svg).digest('base64url').slice(0, 22));
        reply
          .header('etag', etag)
          .header('cache-control', CACHE_CONTROL)
          .header('content-security-policy', CSP)
          .header('x-content-type-options', 'nosniff');
        if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
        return reply.type('image/svg+xml; charset=utf-8').send(svg);
      },
    },
  });
}
