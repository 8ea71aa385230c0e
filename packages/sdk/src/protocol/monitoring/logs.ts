/**
 * `GET /api/v1/logs`. Log levels are `warn`, not the alerts' `warning`, as the seed writes them.
 */
import * as z from 'zod';
import { isoDateTime, queryInt } from '../common';

export const LogLevel = z.enum(['info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

/**
 * One entry of the server's own log. `context` (Marquee's addition) holds the structured fields
 * the line was logged with (e.g. `{ "channel": "ops", "status": 502 }`), secrets redacted; absent
 * when there were none.
 */
export const LogEntry = z
  .object({
    timestamp: isoDateTime,
    level: LogLevel,
    message: z.string(),
    context: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'MonitoringLogEntry' });
export type LogEntry = z.infer<typeof LogEntry>;

/** Query of `GET /api/v1/logs`. */
export const LogsQuery = z.object({
  /** Only entries of exactly this level. */
  level: LogLevel.optional(),
  /**
   * Maximum entries returned, newest first.
   * @default 100
   */
  limit: queryInt(1, 1000).default(100),
  /** Only entries logged at or after this time. */
  since: isoDateTime.optional(),
});
export type LogsQuery = z.infer<typeof LogsQuery>;

export const LogList = z.object({ logs: z.array(LogEntry) }).meta({ id: 'MonitoringLogList' });
export type LogList = z.infer<typeof LogList>;
