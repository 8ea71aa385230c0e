/**
 * The media stack across several instances (`MARQUEE_REDIS_URL`, docs/deploy.md "Several
 * instances"): one instance, the holder of the `media-upstreams` lease, polls every configured
 * upstream and holds the Plex and Jellyfin push sockets; each of its snapshots (a poll's outcome,
 * a pushed value) goes to the other instances over the bus, whose pollers take it as their own
 * (`poller.mirror`) and never call the upstream. So the upstreams are asked once per cluster, and
 * media-stack answers, Now Playing's upstream sessions and their ages are the same everywhere.
 *
 * The holder polls every upstream at its interval whether or not anybody listens on it (it cannot
 * tell who listens on the other instances). A `refresh()` on another instance asks the holder to
 * poll and waits for its snapshot. An instance starting asks the holder for its current snapshots.
 * When the holder stops or goes silent the lease moves (within the node TTL) and the new holder
 * polls at once. Without Redis (the local bus) nothing of this runs.
 */
import type { ClusterBus } from '../../core/bus';
import type { UpstreamPoller, UpstreamSnapshot } from '../upstream';
import type { MediaStack, MediaUpstream } from './stack';

/** The lease of the instance that polls the media upstreams and holds their push sockets. */
export const MEDIA_LEASE = 'media-upstreams';
/** Holder → others: `{ name, snapshot }` after each poll or push. */
const SNAPSHOT_MESSAGE = 'media-upstream:snapshot';
/** Other → holder: `{ name }`, poll it now. */
const REFRESH_MESSAGE = 'media-upstream:refresh';
/** A starting instance → holder: send me every current snapshot. */
const WANT_MESSAGE = 'media-upstream:want';

interface SnapshotMessage {
  readonly name: string;
  readonly snapshot: UpstreamSnapshot<unknown>;
}

/** Every upstream's poller, whatever its value (snapshots cross the bus as JSON). */
const pollerOf = (upstream: MediaUpstream): UpstreamPoller<unknown> => upstream.poller;

const named = (payload: unknown): string | undefined => {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const name = (payload as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
};

/** Shares `stack` over `bus` (see the file comment); returns the stop. A no-op alone. */
export function shareMediaStack(stack: MediaStack, bus: ClusterBus): () => void {
  if (!bus.clustered || stack.upstreams.length === 0) return () => undefined;
  const lease = bus.lease(MEDIA_LEASE);
  const find = (name: string | undefined): MediaUpstream | undefined =>
    stack.upstreams.find((each) => each.name === name);
  const send = (upstream: MediaUpstream, snapshot: UpstreamSnapshot<unknown>) => ({
    name: upstream.name,
    snapshot,
  });
  const holding: (() => void)[] = [];

  const follow = () => {
    for (const off of holding.splice(0)) off();
    for (const upstream of stack.upstreams) {
      upstream.push?.pause();
      upstream.poller.follow(() => bus.broadcast(REFRESH_MESSAGE, { name: upstream.name }));
    }
  };
  const lead = () => {
    for (const upstream of stack.upstreams) {
      holding.push(
        pollerOf(upstream).subscribe((snapshot) =>
          bus.broadcast(SNAPSHOT_MESSAGE, send(upstream, snapshot)),
        ),
      );
      if (upstream.push) {
        upstream.push.resume();
        holding.push(upstream.push.hold());
      }
      upstream.poller.lead();
    }
  };

  const stops = [
    bus.on(SNAPSHOT_MESSAGE, (payload) => {
      const upstream = find(named(payload));
      if (upstream === undefined || lease.held) return;
      pollerOf(upstream).mirror((payload as SnapshotMessage).snapshot);
    }),
    bus.on(REFRESH_MESSAGE, (payload) => {
      const upstream = find(named(payload));
      if (upstream === undefined || !lease.held) return;
      void upstream.poller.refreshAfterInFlight().catch(() => undefined);
    }),
    bus.on(WANT_MESSAGE, (_payload, from) => {
      if (!lease.held) return;
      for (const upstream of stack.upstreams) {
        const snapshot = pollerOf(upstream).snapshot();
        if (snapshot.status !== undefined)
          bus.sendTo(from, SNAPSHOT_MESSAGE, send(upstream, snapshot));
      }
    }),
    lease.onChange((held) => (held ? lead() : follow())),
  ];
  if (lease.held) lead();
  else {
    follow();
    bus.broadcast(WANT_MESSAGE, {});
  }
  return () => {
    for (const stop of stops) stop();
    for (const off of holding.splice(0)) off();
    lease.release();
  };
}
