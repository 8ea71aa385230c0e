/**
 * File responses still being written, so shutdown can wait for them. A streamed response ends a
 * moment after its last byte left (the file stream's 'end' → `res.end()`), and the server's
 * one-time sweep of idle keep-alive connections at close misses a connection in that moment:
 * it then stays open until the keep-alive timeout (72 s). Waiting for these responses before
 * the sweep (a `preClose` hook) lets it catch them; a download still running after `graceMs`
 * has its connection closed, since a TV resumes it with Range after the restart anyway.
 */
import type { ServerResponse } from 'node:http';

export class InFlightResponses {
  readonly #open = new Set<ServerResponse>();

  /** Tracks `res` until it closes. */
  track(res: ServerResponse): void {
    if (res.closed) return;
    this.#open.add(res);
    res.once('close', () => this.#open.delete(res));
  }

  /** Resolves once every tracked response closed, destroying those still open after `graceMs`. */
  async settle(graceMs: number): Promise<void> {
    const open = [...this.#open];
    if (open.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const closed = Promise.all(
      open.map((res) => new Promise<void>((resolve) => res.once('close', () => resolve()))),
    );
    const late = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (late) for (const res of this.#open) res.socket?.destroy();
  }
}
