/**
 * Where signage keeps its files, all under `<dataDir>/signage/`:
 *
 * - `media/images/<id>_<name>`, `media/videos/<id>_<name>`: the library; the URL of a file is
 *   `/media/` + its path here (the seed's `/media/images/logo1.jpg` style). Only paths recorded
 *   in the store are ever served, so a request cannot name any other file.
 * - `screenshots/<sn>/<id>.<ext>`: device screenshots, the extension naming the sniffed type.
 * - `tmp/`: uploads in progress, renamed into place once complete and valid.
 *
 * Names are reduced to safe file names: devices cache files as `{media_id}_{media_name}`, so a
 * name with folders or control characters would be a path problem on every device.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { mkdir, open, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** A plain file name: no folders, no control characters, no leading dots; at most 200 chars. */
export function safeFileName(name: string, fallback = 'file'): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (cleaned === '') return fallback;
  if (cleaned.length <= 200) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 200 - ext.length) + ext;
}

/** Flushes a file, or a folder's entries (a rename into it), to disk. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The part of a file name safe to put in a URL path segment (letters, digits, `._-`). */
function urlSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class SignageFiles {
  readonly root: string;
  readonly mediaDir: string;
  readonly screenshotsDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string, cwd: string = process.cwd()) {
    this.root = join(resolve(cwd, dataDir), 'signage');
    this.mediaDir = join(this.root, 'media');
    this.screenshotsDir = join(this.root, 'screenshots');
    this.tmpDir = join(this.root, 'tmp');
  }

  /** The library path (relative, `/`-separated) of media `id` named `name`. */
  mediaPath(id: number, mediaType: 'image' | 'video', name: string): string {
    return `${mediaType}s/${id}_${urlSafe(name)}`;
  }

  /** The URL devices download a library file from. */
  mediaUrl(path: string): string {
    return `/media/${path}`;
  }

  /** Absolute path of a library file. */
  mediaFile(path: string): string {
    return join(this.mediaDir, ...path.split('/'));
  }

  /**
   * The screenshots path (relative) of screenshot `key` of device `sn`, a file of type
   * `extension`. Leading dots of the
   * serial become `_`, so a serial such as `..` still gets a folder of its own under
   * `screenshots/`.
   */
  screenshotPath(sn: string, key: string, extension = 'jpg'): string {
    const folder = urlSafe(sn).replace(/^\.+/, (dots) => '_'.repeat(dots.length));
    return `${folder}/${key}.${extension}`;
  }

  screenshotFile(path: string): string {
    return join(this.screenshotsDir, ...path.split('/'));
  }

  /**
   * Moves a finished upload (already flushed to disk, see upload.ts) into place, creating its
   * folder, and flushes the folder so the new name survives a power cut.
   */
  async place(tmpPath: string, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    await rename(tmpPath, target);
    await syncPath(dirname(target));
  }

  /** `place`, synchronously: for use inside a store transaction, before its commit. */
  placeSync(tmpPath: string, target: string): void {
    mkdirSync(dirname(target), { recursive: true });
    renameSync(tmpPath, target);
    const fd = openSync(dirname(target), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /**
   * Deletes screenshot files (paths as `screenshotPath` made them), then each folder they were in
   * once it is empty. A folder still holding files stays: two serial numbers may share one
   * folder name, since names are reduced to URL-safe characters.
   */
  async removeScreenshots(paths: readonly string[]): Promise<void> {
    const files = paths.map((path) => this.screenshotFile(path));
    await Promise.all(files.map((file) => this.remove(file)));
    const folders = new Set(files.map((file) => dirname(file)));
    await Promise.all([...folders].map((folder) => rmdir(folder).catch(() => undefined)));
  }
}
