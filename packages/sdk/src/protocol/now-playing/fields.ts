/**
 * Custom field lists (`?fields=title,state,progress_percent`): every session in the snapshot
 * carries only the named Session fields, in Session's own field order; `system` and `timestamp`
 * stay as they are. Field lists pick verbatim and have no byte budget: a display that must stay
 * within one uses the compact profile. The query's field-name schema and the documented
 * `PartialSnapshot` live with the query and the route table, which a panel app does not bundle.
 */
import * as z from 'zod/mini';
import { unixSeconds } from '../primitives';
import { Session, SystemStats, type Snapshot } from './snapshot';

/** The name of one Session field. */
export type SessionField = keyof Session;

/** A snapshot whose sessions carry only the fields `F`. */
export interface FieldSnapshot<F extends SessionField = SessionField> {
  readonly sessions: Array<Pick<Session, F>>;
  readonly system: SystemStats;
  readonly timestamp: number;
}

/** `fields` without repeats, in Session's field order (one list, one hub topic). */
export function canonicalFields<F extends SessionField>(fields: readonly F[]): F[] {
  const wanted = new Set<string>(fields);
  return Object.keys(Session.shape).filter((field): field is F => wanted.has(field));
}

/** The schema of the snapshot for `fields`: exactly those fields, each as Session types it. */
export function fieldSnapshotSchema<F extends SessionField>(
  fields: readonly F[],
): z.ZodMiniType<FieldSnapshot<F>> {
  // Built from Session's own field schemas (rather than with z.pick, which would add about 1 KB
  // of zod to a panel bundle).
  const shape: Partial<Record<SessionField, z.core.$ZodType>> = {};
  for (const field of fields) shape[field] = Session.shape[field];
  const schema = z.object({
    sessions: z.array(z.object(shape)),
    system: SystemStats,
    timestamp: unixSeconds,
  });
  // The object has exactly the fields in `fields`, each with its Session type.
  return schema as z.ZodMiniType<FieldSnapshot<F>>;
}

/** `snapshot` with every session cut down to `fields` (see `canonicalFields` for the order). */
export function pickSessionFields<F extends SessionField>(
  snapshot: Snapshot,
  fields: readonly F[],
): FieldSnapshot<F> {
  const order = canonicalFields(fields);
  return {
    sessions: snapshot.sessions.map((session) => pick(session, order)),
    system: snapshot.system,
    timestamp: snapshot.timestamp,
  };
}

function pick<F extends SessionField>(session: Session, fields: readonly F[]): Pick<Session, F> {
  const picked: Partial<Pick<Session, F>> = {};
  for (const field of fields) {
    if (session[field] !== undefined) picked[field] = session[field];
  }
  // Every field of `fields` that the session has was copied; the rest are optional in Session.
  return picked as Pick<Session, F>;
}
