/**
 * The folders thumbnails may read from (`config.mediaRoots`). A client names an image by its path
 * relative to a root; `open` turns that into an open file that is provably inside a root after
 * every symlink is followed, or refuses: 400 for a malformed path, 404 for anything missing or
 * outside (the two are not told apart, so probing reveals nothing about the rest of the disk).
 *
 * The file is opened first and checked second (its real path must lie in a root and name the very
 * inode that was opened), so swapping a symlink between the check and the read gains nothing.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MarqueeError } from '@marquee/sdk';

/** An open regular file inside a media root; the caller closes `handle`. */
export interface MediaFile {
  readonly handle: FileHandle;
  /** The real path (symlinks resolved). */
  readonly realPath: string;
  /** The `/`-separated path relative to its root, normalised. */
  readonly relativePath: string;
  readonly stats: Stats;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const WINDOWS_DRIVE = /^[a-z]:/i;

/**
 * Splits a client's relative media path into segments, refusing anything that could name a file
 * outside a root: NUL bytes, backslashes, absolute paths and `..` segments (400).
 */
export function mediaPathSegments(path: string): string[] {
  if (path.includes('\0'))
    throw new MarqueeError('BAD_REQUEST', 'The media path contains a NUL byte');
  if (path.includes('\\')) {
    throw new MarqueeError('BAD_REQUEST', 'The media path must use forward slashes');
  }
  if (path.startsWith('/') || isAbsolute(path) || WINDOWS_DRIVE.test(path)) {
    throw new MarqueeError('BAD_REQUEST', 'The media path must be relative to a media root');
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new MarqueeError('BAD_REQUEST', "The media path must not contain '..' segments");
  }
  if (segments.length === 0) throw new MarqueeError('BAD_REQUEST', 'A media path is required');
  return segments;
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The folders thumbnails are served from, resolved against `cwd` once. */
export class MediaRoots {
  readonly roots: readonly string[];

  constructor(roots: readonly string[], cwd: string = process.cwd()) {
    this.roots = roots.map((root) => resolve(cwd, root));
  }

  get enabled(): boolean {
    return this.roots.length > 0;
  }

  /**
   * Opens `path` (relative, `/`-separated) in the first root that has it. Roots are real-pathed on
   * every call, so a root created or re-linked after start-up is picked up.
   */
  async open(path: string): Promise<MediaFile> {
    const segments = mediaPathSegments(path);
    const relativePath = segments.join('/');
    const realRoots = await this.#realRoots();
    for (const root of this.roots) {
      const file = await openInside(join(root, ...segments), realRoots);
      if (file) return { ...file, relativePath };
    }
    throw new MarqueeError('NOT_FOUND', `No file "${relativePath}" in the media roots`);
  }

  /**
   * The relative path a thumbnail URL needs for a poster reference: an absolute filesystem path (or
   * `file:` URL) inside a root, or a relative media path. Undefined when the reference is a web
   * URL, names no file inside the roots, or is shadowed by the same relative path in an earlier
   * root (its thumbnail URL would show another image).
   */
  async relativePathOf(reference: string): Promise<string | undefined> {
    if (!this.enabled || reference === '' || reference.includes('\0')) return undefined;
    let candidate = reference;
    if (reference.startsWith('file:')) candidate = fileURLToPath(reference);
    else if (URL_SCHEME.test(reference) && !WINDOWS_DRIVE.test(reference)) return undefined;

    let relativePath = candidate;
    let expected: string | undefined;
    if (isAbsolute(candidate)) {
      expected = await realpath(candidate).catch(() => undefined);
      if (expected === undefined) return undefined;
      const real = expected;
      const root = (await this.#realRoots()).find((r) => isInside(r, real));
      if (root === undefined) return undefined;
      relativePath = relative(root, real).split(sep).join('/');
    }
    try {
      const file = await this.open(relativePath);
      await file.handle.close();
      return expected === undefined || file.realPath === expected ? file.relativePath : undefined;
    } catch (error) {
      if (error instanceof MarqueeError) return undefined;
      throw error;
    }
  }

  async #realRoots(): Promise<string[]> {
    const real = await Promise.all(this.roots.map((r) => realpath(r).catch(() => undefined)));
    return real.filter((r): r is string => r !== undefined);
  }
}

/** Opens `path` when it is a regular file whose real path lies inside one of `realRoots`. */
async function openInside(
  path: string,
  realRoots: readonly string[],
): Promise<Omit<MediaFile, 'relativePath'> | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    // Missing, a dangling link, not readable, a name too long: not found, whatever the reason.
    return undefined;
  }
  try {
    const realPath = await realpath(path);
    const [opened, named] = await Promise.all([handle.stat(), stat(realPath)]);
    if (
      realRoots.some((root) => isInside(root, realPath)) &&
      opened.isFile() &&
      opened.dev === named.dev &&
      opened.ino === named.ino
    ) {
      return { handle, realPath, stats: opened };
    }
  } catch {
    // Renamed or removed while checking: not found.
  }
  await handle.close();
  return undefined;
}
