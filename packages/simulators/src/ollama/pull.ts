/**
 * The NDJSON lines of `POST /api/pull`, as Ollama streams them (server/images.go PullModel and
 * download.go): `pulling manifest`; per blob `pulling <first 12 hex of the digest>` with the
 * full `digest`, `total` and `completed` (Go's `omitempty` drops `completed` while it is 0);
 * `verifying sha256 digest`; `writing manifest`; `success`. A failure after the stream started is
 * one more line, `{"error": "..."}`, on the 200 response already sent.
 */
import type { ServerResponse } from 'node:http';
import { pause, sendError, sendJson } from './http';
import { modelLayers, type ResolvedModel } from './models';

/** One line of pull progress (Ollama's api.ProgressResponse). */
export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/** What a pull of a name the registry does not know answers after `pulling manifest`. */
export const UNKNOWN_MODEL_PULL_ERROR = 'pull model manifest: file does not exist';

/** The error line `failNextPullAfter` sends by default: a dropped download. */
export const DEFAULT_PULL_ERROR = 'max retries exceeded: unexpected EOF';

/**
 * Every progress line of a successful pull of `model`. The weights blob reports progress in
 * `weightChunks` steps; the small blobs arrive in one.
 */
export function pullProgressLines(model: ResolvedModel, weightChunks = 4): PullProgress[] {
  const lines: PullProgress[] = [{ status: 'pulling manifest' }];
  modelLayers(model).forEach((layer, i) => {
    const status = `pulling ${layer.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
    lines.push({ status, digest: layer.digest, total: layer.size });
    const steps = i === 0 ? Math.max(1, weightChunks) : 1;
    for (let step = 1; step <= steps; step++) {
      const completed = Math.round((layer.size * step) / steps);
      lines.push({ status, digest: layer.digest, total: layer.size, completed });
    }
  });
  lines.push({ status: 'verifying sha256 digest' }, { status: 'writing manifest' });
  lines.push({ status: 'success' });
  return lines;
}

/**
 * Sends a pull's `lines` (paced by `delayMs`), then `error` if there is one. Streamed, the status
 * is 200 from the first line on and an error is one more line; an error before any line, or any
 * error with `stream: false`, is a 500 `{"error"}` as Ollama sends it. Resolves to how it ended.
 */
export async function sendPull(
  res: ServerResponse,
  lines: readonly PullProgress[],
  error: string | undefined,
  options: { stream: boolean; delayMs: number },
): Promise<'success' | 'failed' | 'aborted'> {
  let aborted = false;
  res.once('close', () => (aborted = !res.writableEnded));
  if (options.stream && lines.length > 0) {
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  }
  for (const line of lines) {
    await pause(options.delayMs);
    if (aborted) return 'aborted';
    if (options.stream) res.write(`${JSON.stringify(line)}\n`);
  }
  if (error !== undefined) {
    if (res.headersSent) res.end(`${JSON.stringify({ error })}\n`);
    else sendError(res, 500, error);
    return 'failed';
  }
  if (options.stream) res.end();
  else sendJson(res, 200, { status: 'success' });
  return 'success';
}
