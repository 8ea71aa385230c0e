/**
 * Seed 000 — the "Now Playing" dashboard: who watches what plus system stats, pushed over
 * `WS /api/dashboard/ws` every 2 s, with REST fallbacks. Field names, units and enums are the
 * seed's. The seed is a FastAPI app, so errors use FastAPI's `{"detail": ...}` body; Marquee adds
 * a machine-readable `code` beside it. Marquee adds the compact profile and field lists for small
 * displays (`?profile=compact`, `?fields=...`).
 *
 * Written in zod/mini (functions instead of chainable methods) so that a panel app keeps only the
 * validators it uses; see docs/size.md. Nothing in this folder may import classic zod, directly
 * or through another module: `scripts/test/panel-bundle.test.ts` checks the panel's import graph.
 */
export {
  COMPACT_MAX_BYTES,
  COMPACT_TITLE_BYTES,
  COMPACT_USER_BYTES,
  CompactSession,
  CompactSnapshot,
  CompactSystem,
  toCompactSnapshot,
  type CompactOptions,
} from './compact';
export { NowPlayingError, nowPlayingErrorShape } from './errors';
export {
  canonicalFields,
  fieldSnapshotSchema,
  pickSessionFields,
  type FieldSnapshot,
  type SessionField,
} from './fields';
export { NowPlayingQuery, SessionFieldName, SnapshotProfile } from './query';
export {
  AnySnapshot,
  PartialSession,
  PartialSnapshot,
  nowPlayingChannels,
  nowPlayingRoutes,
  nowPlayingSurface,
} from './routes';
export {
  SessionIdParams,
  SessionUpdate,
  SessionUpdateResponse,
  StopSessionResponse,
} from './sessions';
export {
  Session,
  SessionSource,
  SessionState,
  Snapshot,
  StatsResponse,
  SystemStats,
} from './snapshot';
export { jsonStringBytes, truncateText, utf8Bytes } from './text';
