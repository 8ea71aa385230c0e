/**
 * The server's own log, kept for `GET /api/v1/logs` (issue 13 §5). Every line pino writes reaches
 * `ingest` through the log tap (core/log-tap.ts), already redacted by pino. Kept: `info` and above
 * (`fatal` is kept as `error`), except Fastify's per-request access lines (`incoming request`,
 * `request completed`: a `req` or `res` field below `warn`), which would otherwise fill the store
 * with the reads of the log itself.
 *
 * Bounds: lines wait in memory (at most `MAX_PENDING`; beyond, the oldest waiting line is dropped)
 * and are written in one transaction every `FLUSH_MS` or every `FLUSH_BATCH` lines (at once
 * unless the connection is inside a transaction, else on the next turn); the table is
 * trimmed to `maxRows` on every write. A message is cut at `MAX_MESSAGE` characters, a line's
 * structured context at `MAX_CONTEXT` characters of JSON (beyond, only its keys are kept), an
 * error's stack is not kept. Keys that name a credential (`token`, `password`, `apiKey` ...) and
 * secret query parameters in strings are redacted again here, whatever pino was told.
 */
import type { FastifyBaseLogger } from 'fastify';
import { isSensitiveParam, REDACTED, redactUrl } from '../../core/log-redaction';
import type { MonitoringLogRecord, MonitoringLogsRepository } from './store/types';

export const MAX_PENDING = 1000;
export const FLUSH_BATCH = 200;
export const FLUSH_MS = 1000;
export const MAX_MESSAGE = 1000;
export const MAX_CONTEXT = 1000;

/** Fields every pino line has, not part of a line's context. */
const BASE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

function levelOf(value: unknown): MonitoringLogRecord['level'] | undefined {
  if (typeof value !== 'number' || value < 30) return undefined;
  if (value < 40) return 'info';
  if (value < 50) return 'warn';
  return 'error';
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    const text = value.length > MAX_MESSAGE ? `${value.slice(0, MAX_MESSAGE)}…` : value;
    return text.includes('?') ? redactUrl(text) : text;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'stack') continue;
    out[key] = isSensitiveParam(key) ? REDACTED : clean(v, depth + 1);
  }
  return out;
}

/** A pino line as kept, or undefined when it is not kept. */
export function recordOf(line: string): MonitoringLogRecord | undefined {
  // Most lines are request lines at info: skipped before paying for a parse.
  if (line.startsWith('{"level":30,') && (line.includes(',"req":{') || line.includes(',"res":{'))) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  const level = levelOf(fields.level);
  if (level === undefined) return undefined;
  if (level === 'info' && ('req' in fields || 'res' in fields)) return undefined;
  const ts =
    typeof fields.time === 'number' && Number.isFinite(fields.time) ? fields.time : Date.now();
  const err = fields.err as { message?: unknown } | undefined;
  const raw =
    typeof fields.msg === 'string'
      ? fields.msg
      : typeof err?.message === 'string'
        ? err.message
        : '';
  const message = clean(raw, 0) as string;
  const rest = Object.fromEntries(Object.entries(fields).filter(([k]) => !BASE_FIELDS.has(k)));
  let context: Record<string, unknown> | null = null;
  if (Object.keys(rest).length > 0) {
    context = clean(rest, 0) as Record<string, unknown>;
    if (JSON.stringify(context).length > MAX_CONTEXT) {
      context = { truncated: true, keys: Object.keys(context).slice(0, 20) };
    }
  }
  return { ts, level, message, context };
}

export class LogKeeper {
  readonly #repo: MonitoringLogsRepository;
  readonly #maxRows: number;
  readonly #logger: FastifyBaseLogger;
  /** Lines whose write failed, oldest first; written again before `#pending`. */
  #retry: MonitoringLogRecord[] = [];
  #pending: MonitoringLogRecord[] = [];
  #scheduled = false;
  #failing = false;
  /** The write in progress on a store that writes later (PostgreSQL), if any. */
  #writing: Promise<void> | undefined;
  /** A flush was asked for while `#writing` ran: it runs right after. */
  #again = false;
  readonly #timer: NodeJS.Timeout;
  /** Lines dropped because the store could not keep up (or failed). */
  dropped = 0;

  constructor(repo: MonitoringLogsRepository, maxRows: number, logger: FastifyBaseLogger) {
    this.#repo = repo;
    this.#maxRows = maxRows;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.#timer.unref();
  }

  /** Takes one line from the log tap. */
  readonly ingest = (line: string): void => {
    const record = recordOf(line);
    if (record === undefined) return;
    if (this.#retry.length + this.#pending.length >= MAX_PENDING) {
      if (this.#retry.length > 0) this.#retry.shift();
      else this.#pending.shift();
      this.dropped += 1;
    }
    this.#pending.push(record);
    // While the store fails, only the timer tries again (bounded waiting lines meanwhile).
    if (this.#pending.length < FLUSH_BATCH || this.#failing) return;
    // A burst of lines is written at once, unless this logger call runs inside a transaction
    // (writing would join it, and its rollback would lose the lines): then as soon as it ends.
    if (this.#repo.idle()) {
      void this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.flush();
      });
    }
  };

  /**
   * Writes the waiting lines, in the order they were logged; settles when they are stored (or
   * the write failed: the lines then wait again, bounded, and the failure is logged once). Never
   * rejects. On a store that writes before `append` returns (SQLite) each flush writes at once,
   * so a synchronous burst is stored as it comes; on one that writes later (PostgreSQL) one write
   * runs at a time, and a flush asked for meanwhile runs right after it.
   */
  flush(): Promise<void> {
    if (this.#writing !== undefined) {
      this.#again = true;
      return this.#writing;
    }
    const lines = [...this.#retry, ...this.#pending];
    if (lines.length === 0) return Promise.resolve();
    this.#retry = [];
    this.#pending = [];
    let written: Promise<void>;
    try {
      written = this.#repo.append(lines, this.#maxRows);
    } catch (error) {
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const outcome = written.then(
      () => {
        this.#failing = false;
      },
      (error: unknown) => {
        const waiting = [...this.#retry, ...lines];
        const over = Math.max(0, waiting.length + this.#pending.length - MAX_PENDING);
        this.dropped += over;
        this.#retry = waiting.slice(Math.min(over, waiting.length));
        if (!this.#failing) {
          this.#failing = true;
          this.#logger.error({ err: error }, 'monitoring: keeping the log failed');
        }
      },
    );
    if (this.#repo.writesAtOnce) return outcome;
    const writing = outcome.then(() => {
      this.#writing = undefined;
      if (!this.#again) return undefined;
      this.#again = false;
      // While the store fails, only the timer tries again.
      return this.#failing ? undefined : this.flush();
    });
    this.#writing = writing;
    return writing;
  }

  /** Newest first; lines still waiting are written first so the answer is current. */
  async list(
    filter: Parameters<MonitoringLogsRepository['list']>[0],
  ): Promise<MonitoringLogRecord[]> {
    await this.flush();
    return this.#repo.list(filter);
  }

  /** Stops the timer and writes what is waiting. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
