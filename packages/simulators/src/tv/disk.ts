/**
 * The simulated TV's storage, as the device client's `openDownloadFile`: real files in the cache
 * directory, with two faults.
 *
 * - full: every write of a download fails with `ENOSPC`, as on a full disk; the item fails, and
 *   a playlist none of whose files could be stored reports `failed` with that error. Files
 *   already cached stay playable.
 * - corrupt next: the first write of the next download has its first byte flipped on the way to
 *   disk. The client's MD5 check rejects the file and downloads it once more.
 */
import { open } from 'node:fs/promises';
import type { DownloadFile, OpenDownloadFile } from '@marquee/sdk/device';

export class Disk {
  /** Files written with a flipped byte, newest last. */
  readonly corrupted: string[] = [];
  #full = false;
  #corruptNext = false;

  setFull(full: boolean): void {
    this.#full = full;
  }

  corruptNextDownload(): void {
    this.#corruptNext = true;
  }

  readonly open: OpenDownloadFile = async (path, flags) => {
    const file = await open(path, flags);
    let corrupt = this.#corruptNext;
    this.#corruptNext = false;
    const handle: DownloadFile = {
      write: (data) => {
        if (this.#full) return Promise.reject(noSpace());
        if (corrupt && data.length > 0) {
          corrupt = false;
          const damaged = Uint8Array.from(data);
          damaged[0] = (damaged[0] ?? 0) ^ 0xff;
          this.corrupted.push(path);
          return file.write(damaged);
        }
        return file.write(data);
      },
      close: () => file.close(),
    };
    return handle;
  };
}

/** The error Node's fs gives for a write to a full disk. */
function noSpace(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
}
