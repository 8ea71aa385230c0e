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

/** Which output of a container a line came from. */
export const ContainerLogStream = z.enum(['stdout', 'stderr']);
export type ContainerLogStream = z.infer<typeof ContainerLogStream>;

/** Query of `GET /api/v1/services/{name}/logs` (Marquee's addition: a container's own log). */
export const ContainerLogsQuery = z.object({
  /**
   * The newest lines returned, newest first.
   * @default 100
   */
  limit: queryInt(1, 1000).default(100),
  /** Only lines written at or after this time. */
  since: isoDateTime.optional(),
  /** Only this output; both when absent. */
  stream: ContainerLogStream.optional(),
});
export type ContainerLogsQuery = z.infer<typeof ContainerLogsQuery>;

/**
 * One line of a container's log as Docker keeps it: its time (Docker's, to the nanosecond, given
 * here to the millisecond), the output, and the text (cut at 4000 characters; secret query
 * parameters in URLs redacted).
 */
export const ContainerLogEntry = z
  .object({ timestamp: isoDateTime, stream: ContainerLogStream, message: z.string() })
  .meta({ id: 'MonitoringContainerLogEntry' });
export type ContainerLogEntry = z.infer<typeof ContainerLogEntry>;

export const ContainerLogList = z
  .object({ name: z.string(), logs: z.array(ContainerLogEntry) })
  .meta({ id: 'MonitoringContainerLogList' });
export type ContainerLogList = z.infer<typeof ContainerLogList>;
