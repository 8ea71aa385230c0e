/**
 * Download progress from Ollama's pull lines. Each layer (blob) reports `completed` of `total`
 * bytes; the overall percent is the bytes completed over the bytes of every layer announced so
 * far, and stays below 100 until Ollama says `success`. Ollama downloads and announces layers one
 * after the other, so the total is only known at the last one; the weights (nearly all of a
 * model) come first, so the percent barely moves when the small layers join. A second large
 * layer (a vision projector) makes it step back honestly rather than stall at 99.9 %. Each
 * update also carries its own layer's bytes, for a per-layer bar.
 */
import type { PullLine } from './upstream';

/** What one line meant for the download. */
export interface PullUpdate {
  /** Overall percent in [0, 100], one decimal. */
  readonly percent: number;
  /** Ollama's status line (`pulling manifest`, `pulling 6a0746a1ec1a`, `success`). */
  readonly status: string;
  /** The layer this line is about, if any, and its own progress in bytes. */
  readonly digest?: string;
  readonly completed?: number;
  readonly total?: number;
  readonly done: boolean;
}

export class PullProgress {
  readonly #layers = new Map<string, { completed: number; total: number }>();
  #percent = 0;

  get percent(): number {
    return this.#percent;
  }

  /** Folds in one line (an `{"error"}` line is the caller's to handle). */
  update(line: PullLine): PullUpdate {
    const status = line.status ?? '';
    const done = status === 'success';
    let layer: { completed: number; total: number } | undefined;
    if (line.digest !== undefined && line.total !== undefined) {
      layer = { completed: Math.min(line.completed ?? 0, line.total), total: line.total };
      this.#layers.set(line.digest, layer);
    }
    if (done) {
      this.#percent = 100;
    } else {
      let completed = 0;
      let total = 0;
      for (const l of this.#layers.values()) {
        completed += l.completed;
        total += l.total;
      }
      const raw = total > 0 ? (completed / total) * 100 : 0;
      // One decimal, floored so 99.96 % is not shown as 100 before `success`.
      this.#percent = Math.min(99.9, Math.floor(raw * 10) / 10);
    }
    return {
      percent: this.#percent,
      status,
      done,
      ...(line.digest === undefined ? {} : { digest: line.digest }),
      ...(layer === undefined ? {} : { completed: layer.completed, total: layer.total }),
    };
  }
}
