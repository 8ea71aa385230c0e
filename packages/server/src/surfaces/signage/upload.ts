/**
 * Receiving one multipart upload: the text fields, and one file part streamed to a temporary file
 * while its size and MD5 are computed and its first bytes kept to sniff its type. Nothing
 * is held in memory beyond a chunk; over `maxBytes` the upload is refused with 413 and the
 * partial file removed. Fields may come before or after the file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import { MarqueeError } from '@marquee/sdk';
import type { FastifyRequest } from 'fastify';
import { SNIFF_BYTES } from '../../core/media-sniff';

export interface ReceivedFile {
  readonly tmpPath: string;
  readonly size: number;
  /** Lowercase hex. */
  readonly md5: string;
  /** The first bytes (up to `SNIFF_BYTES`), to sniff the type from. */
  readonly head: Buffer;
  readonly filename: string;
  readonly mimetype: string;
}

export interface ReceivedUpload {
  readonly fields: Readonly<Record<string, string>>;
  /** Absent when the request had no part named `fileField`. */
  readonly file: ReceivedFile | undefined;
  /** Removes the temporary file (call when not moving it into place). */
  discard(): Promise<void>;
}

export interface ReceiveOptions {
  readonly fileField: string;
  readonly maxBytes: number;
  readonly tmpDir: string;
  /**
   * Called with the request's declared length before anything is written; throws (507) when the
   * disk cannot take it and keep its reserve (StorageMonitor.ensureRoom).
   */
  readonly ensureRoom?: (bytes: number) => Promise<void>;
}

/** Counts, hashes and keeps the head of what flows through. */
class Inspect extends Transform {
  size = 0;
  head = Buffer.alloc(0);
  readonly hash = createHash('md5');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.head.length < SNIFF_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)]);
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

function tooLarge(maxBytes: number): MarqueeError {
  return new MarqueeError('PAYLOAD_TOO_LARGE', `The file is larger than ${maxBytes} bytes`);
}

export async function receiveUpload(
  request: FastifyRequest,
  options: ReceiveOptions,
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new MarqueeError('BAD_REQUEST', 'Expected a multipart/form-data body');
  }
  const fields: Record<string, string> = {};
  let file: ReceivedFile | undefined;
  let tmpPath: string | undefined;
  const discard = async () => {
    if (tmpPath !== undefined) await rm(tmpPath, { force: true });
  };
  try {
    if (options.ensureRoom !== undefined) {
      const declared = Number(request.headers['content-length']);
      await options.ensureRoom(Number.isSafeInteger(declared) && declared > 0 ? declared : 0);
    }
    const parts = request.parts({
      limits: { fileSize: options.maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== options.fileField) {
        part.file.resume();
        throw new MarqueeError(
          'BAD_REQUEST',
          `Unexpected file part "${part.fieldname}"; send the file as "${options.fileField}"`,
        );
      }
      await mkdir(options.tmpDir, { recursive: true });
      tmpPath = join(options.tmpDir, randomUUID());
      file = await store(part, tmpPath, options.maxBytes);
    }
  } catch (error) {
    // Whatever the client is still sending is read and dropped, so it gets our answer.
    request.raw.resume();
    await discard();
    if (isFileTooLarge(error)) throw tooLarge(options.maxBytes);
    throw isMalformedMultipart(error)
      ? new MarqueeError('BAD_REQUEST', `Malformed multipart body: ${error.message}`, {
          cause: error,
        })
      : error;
  }
  await drain(request.raw);
  return { fields, file, discard };
}

/**
 * Reads the request to its end. The multipart parser stops at the closing boundary and unpipes;
 * bytes after it (the final CRLF may arrive in a later chunk) would leave the request unfinished,
 * and Node would count the keep-alive connection as busy until its timeout, holding up shutdown.
 */
async function drain(raw: Readable): Promise<void> {
  if (raw.readableEnded || raw.destroyed) return;
  raw.resume();
  await finished(raw).catch(() => undefined);
}

async function store(
  part: MultipartFile,
  tmpPath: string,
  maxBytes: number,
): Promise<ReceivedFile> {
  const inspect = new Inspect();
  try {
    // `flush`: fsync before close, so the file renamed into place later is complete on disk.
    await pipeline(part.file, inspect, createWriteStream(tmpPath, { flush: true }));
  } catch (error) {
    // A write stream's ENOSPC names no file; the storage log should (core/storage.ts).
    if (error instanceof Error && !('path' in error)) Object.assign(error, { path: tmpPath });
    throw error;
  }
  // busboy ends a stream at the limit and flags it; the parts iterator would throw next.
  if (part.file.truncated) throw tooLarge(maxBytes);
  return {
    tmpPath,
    size: inspect.size,
    md5: inspect.hash.digest('hex'),
    head: inspect.head,
    filename: part.filename,
    mimetype: part.mimetype,
  };
}

/**
 * An error of the multipart parser itself (busboy: no boundary, a part cut short, a broken part
 * header): the client's fault, so 400. Errors with an HTTP status (the plugin's limits) and
 * errors of the file system (`syscall`: the disk, not the body) keep their own meaning.
 */
function isMalformedMultipart(error: unknown): error is Error {
  return (
    error instanceof Error &&
    !(error instanceof MarqueeError) &&
    !('statusCode' in error) &&
    !('syscall' in error)
  );
}

function isFileTooLarge(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === 'FST_REQ_FILE_TOO_LARGE'
  );
}
