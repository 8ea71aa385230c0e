/**
 * Newline-delimited JSON read line by line as it arrives (Ollama streams `/api/pull` progress this
 * way). A line split across chunks is joined; a last line without a newline still counts.
 */

/**
 * The non-empty lines of `body`, as they complete. Aborting `signal` ends the lines at once, even
 * with a read pending, whether or not the `fetch` that made `body` honours the signal itself.
 */
export async function* ndjsonLines(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const stop = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') yield line;
        newline = pending.indexOf('\n');
      }
      if (done) break;
    }
    if (pending.trim() !== '') yield pending.trim();
  } finally {
    signal?.removeEventListener('abort', stop);
    // Stops the download when the reader gives up early (cancel, error line, idle timeout).
    await reader.cancel().catch(() => undefined);
  }
}
