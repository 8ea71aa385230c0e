/**
 * The seed's error body: `{ "error": { "code", "message", "details" } }`. Its one example has a
 * string `details` ("Available services: ..."); Marquee also puts structured details there
 * (validation issues) and leaves the field out when there are none.
 */
import * as z from 'zod';
import { type ErrorShape } from '../common';

export const MonitoringError = z
  .object({
    error: z.object({
      /** e.g. `SERVICE_NOT_FOUND`. */
      code: z.string().min(1),
      message: z.string(),
      /** A hint such as "Available services: plex, sonarr, radarr", or structured context. */
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'MonitoringError' });
export type MonitoringError = z.infer<typeof MonitoringError>;

export const monitoringErrorShape: ErrorShape = {
  schema: MonitoringError,
  render: (e): MonitoringError => ({
    error: {
      code: e.code,
      message: e.message,
      ...(e.details === undefined ? {} : { details: e.details }),
    },
  }),
  read: (body) => {
    const parsed = MonitoringError.safeParse(body);
    if (!parsed.success) return undefined;
    const { code, message, details } = parsed.data.error;
    return details === undefined ? { code, message } : { code, message, details };
  },
};
