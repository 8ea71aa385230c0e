/**
 * The query of `WS /api/dashboard/ws` and `GET /api/dashboard/now-playing` (Marquee extension):
 * which form of the snapshot a subscriber wants. The seed's full snapshot stays the default.
 */
import * as z from 'zod/mini';
import { canonicalFields } from './fields';
import { Session } from './snapshot';

/** The name of one Session field, as `fields` lists them. */
export const SessionFieldName = z.keyof(Session);

/** `full`: the seed's snapshot. `compact`: the compact profile (see compact.ts). */
export const SnapshotProfile = z.enum(['full', 'compact']);
export type SnapshotProfile = z.infer<typeof SnapshotProfile>;

/** A comma-separated list of Session field names; an unknown name fails at its index. */
const FieldList = z.pipe(
  z.pipe(
    z.string().check(z.maxLength(1000)),
    z.transform((text: string) => text.split(',').map((field) => field.trim())),
  ),
  z.pipe(z.array(SessionFieldName), z.transform(canonicalFields)),
);

export const NowPlayingQuery = z
  .object({
    profile: z
      ._default(SnapshotProfile, 'full')
      .check(
        z.describe('`full` (the seed snapshot) or `compact` (short keys, at most 1024 bytes)'),
      ),
    fields: z
      .optional(FieldList)
      .check(
        z.describe(
          'Comma-separated Session field names, e.g. `title,state,progress_percent`: each session carries only these (full profile only)',
        ),
      ),
  })
  .check(
    z.refine((query) => query.fields === undefined || query.profile === 'full', {
      message: 'fields picks from the full profile; the compact profile has fixed fields',
      path: ['fields'],
    }),
  );
export type NowPlayingQuery = z.infer<typeof NowPlayingQuery>;
