/**
 * Model downloads in progress: at most one Ollama pull per model, however many requests ask for
 * it (a second request joins the first and gets its events), each cancellable, each reported as
 * `model_download_progress` events that end in `complete` or `error`. Progress lines come as fast
 * as Ollama writes them; `downloading` events of one model are spaced by `minIntervalMs` (a new
 * layer or status still goes out at once), so every display is not sent hundreds a second.
 */
import { toMarqueeError, type protocol } from '@marquee/sdk';
import type { OllamaAdapter } from './adapter';
import { CancelledError } from './errors';
import type { PullUpdate } from './pull-progress';

type ModelDownloadProgress = protocol.gpu.ModelDownloadProgress;

export interface DownloadsOptions {
  readonly adapter: Pick<OllamaAdapter, 'pull'>;
  /** Receives every event, in order (the GPU surface publishes them on its socket). */
  readonly onProgress: (progress: ModelDownloadProgress) => void;
  /** Least time between two `downloading` events of one model. @default 250 */
  readonly minIntervalMs?: number;
  /** Milliseconds clock for that spacing. @default Date.now */
  readonly now?: () => number;
}

export interface StartedDownload {
  /** False when a download of this model was already running and the request joined it. */
  readonly started: boolean;
  /** Resolves once Ollama starts on the first layer, or rejects if the download failed before. */
  readonly begun: Promise<void>;
  /** Resolves when the download ends, however it ends. */
  readonly done: Promise<void>;
}

interface Entry {
  readonly model: string;
  readonly controller: AbortController;
  readonly begun: Promise<void>;
  done: Promise<void>;
  percent: number;
  lastAt: number;
  lastStatus: string | undefined;
  lastDigest: string | undefined;
  lastPercent: number | undefined;
}

/** `Llama2` and `llama2:latest` are the same model to Ollama. */
export function modelKey(name: string): string {
  const trimmed = name.trim().toLowerCase();
  const last = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return last.includes(':') ? trimmed : `${trimmed}:latest`;
}

export class Downloads {
  readonly #options: DownloadsOptions;
  readonly #running = new Map<string, Entry>();

  constructor(options: DownloadsOptions) {
    this.#options = options;
  }

  /** The models downloading now, as first requested. */
  get running(): string[] {
    return [...this.#running.values()].map((entry) => entry.model);
  }

  isRunning(model: string): boolean {
    return this.#running.has(modelKey(model));
  }

  /** Starts downloading `model`, or joins the download already running. */
  start(model: string): StartedDownload {
    const key = modelKey(model);
    const existing = this.#running.get(key);
    if (existing) return { started: false, begun: existing.begun, done: existing.done };

    let begin = (): void => undefined;
    let fail = (_error: unknown): void => undefined;
    const begun = new Promise<void>((resolve, reject) => {
      begin = resolve;
      fail = reject;
    });
    // The caller may stop waiting for it; a late rejection must not go unhandled.
    begun.catch(() => undefined);
    const entry: Entry = {
      model,
      controller: new AbortController(),
      begun,
      done: Promise.resolve(),
      percent: 0,
      lastAt: Number.NEGATIVE_INFINITY,
      lastStatus: undefined,
      lastDigest: undefined,
      lastPercent: undefined,
    };
    this.#running.set(key, entry);
    entry.done = this.#options.adapter
      .pull(model, {
        signal: entry.controller.signal,
        onProgress: (update) => {
          if (update.digest !== undefined || update.done) begin();
          if (!update.done) this.#progress(entry, update);
        },
      })
      .then(
        () => {
          begin();
          this.#emit({ model_name: model, progress: 100, status: 'complete', detail: 'success' });
        },
        (error: unknown) => {
          fail(error);
          const message =
            error instanceof CancelledError ? 'Download cancelled' : toMarqueeError(error).message;
          this.#emit({
            model_name: model,
            progress: entry.percent,
            status: 'error',
            error: message,
          });
        },
      )
      .finally(() => {
        if (this.#running.get(key) === entry) this.#running.delete(key);
      });
    return { started: true, begun, done: entry.done };
  }

  /** Cancels the download of `model`; false when none is running. Its last event is `error`. */
  cancel(model: string): boolean {
    const entry = this.#running.get(modelKey(model));
    if (!entry) return false;
    entry.controller.abort();
    return true;
  }

  /** Cancels every download (shutdown) and resolves once all have ended. */
  async cancelAll(): Promise<void> {
    const entries = [...this.#running.values()];
    for (const entry of entries) entry.controller.abort();
    await Promise.all(entries.map((entry) => entry.done));
  }

  #progress(entry: Entry, update: PullUpdate): void {
    entry.percent = update.percent;
    const now = (this.#options.now ?? Date.now)();
    const news = update.status !== entry.lastStatus || update.digest !== entry.lastDigest;
    const moved = update.percent !== entry.lastPercent;
    if (!news && (!moved || now - entry.lastAt < (this.#options.minIntervalMs ?? 250))) return;
    entry.lastAt = now;
    entry.lastStatus = update.status;
    entry.lastDigest = update.digest;
    entry.lastPercent = update.percent;
    this.#emit({
      model_name: entry.model,
      progress: update.percent,
      status: 'downloading',
      ...(update.completed === undefined ? {} : { completed: Math.round(update.completed) }),
      ...(update.total === undefined ? {} : { total: Math.round(update.total) }),
      ...(update.digest === undefined ? {} : { digest: update.digest }),
      ...(update.status === '' ? {} : { detail: update.status }),
    });
  }

  #emit(progress: ModelDownloadProgress): void {
    this.#options.onProgress(progress);
  }
}
