/** What every upstream integration shares: errors, the HTTP client and the poller. */
export { UpstreamError, networkReason, type UpstreamFailure } from './errors';
export {
  MAX_UPSTREAM_BODY_BYTES,
  createUpstreamHttp,
  decodeJson,
  type UpstreamAnswer,
  type UpstreamCall,
  type UpstreamHttp,
  type UpstreamHttpOptions,
} from './http';
export {
  RECENT_LATENCIES,
  createPoller,
  latencySummary,
  type PollResult,
  type PollerOptions,
  type SnapshotListener,
  type UpstreamPoller,
  type UpstreamSnapshot,
  type UpstreamStatus,
} from './poller';
export {
  openPushSocket,
  pushBackoffMs,
  socketUrl,
  type PushSocket,
  type PushSocketOptions,
  type PushSocketState,
} from './push-socket';
