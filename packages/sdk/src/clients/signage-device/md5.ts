/** MD5 of a file, streamed so a large video is never held in memory. Node only. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The file's MD5 digest as lowercase hex. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
