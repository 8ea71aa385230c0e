/**
 * The server log's tap: the stream pino writes to, which passes every line on to the real
 * destination (standard output, or the stream a test gives) and to the listeners a surface adds
 * (monitoring keeps the log for `GET /api/v1/logs`). Lines reach listeners after pino's own
 * redaction (log-redaction.ts), already serialised; a listener's error is swallowed, so logging
 * never fails because of a listener.
 */
import { Writable } from 'node:stream';

/** One log line as pino wrote it (newline-delimited JSON, one object per line). */
export type LogListener = (line: string) => void;

export class LogTap extends Writable {
  readonly #destination: { write(chunk: string): unknown };
  readonly #listeners = new Set<LogListener>();

  constructor(destination: { write(chunk: string): unknown }) {
    super({ decodeStrings: false });
    this.#destination = destination;
  }

  /** Adds a listener; returns its removal. */
  listen(listener: LogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  override _write(
    chunk: string | Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.#destination.write(text);
    if (this.#listeners.size > 0) {
      for (const line of text.split('\n')) {
        if (line === '') continue;
        for (const listener of this.#listeners) {
          try {
            listener(line);
          } catch {
            // A listener's failure must not break logging.
          }
        }
      }
    }
    done();
  }
}
