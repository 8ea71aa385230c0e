/**
 * Snapshot profiles on the hub. Each distinct form subscribers ask for is one hub topic: the full
 * snapshot (`now-playing`), the compact profile (`now-playing:compact`) and each distinct field
 * list (`now-playing:fields=title,state`, fields in Session order so equal lists share a topic).
 * A broadcast renders and serialises each topic that has subscribers once, however many sockets
 * it has; topics nobody listens to cost nothing. The renderings come from the SDK's pure functions
 * (`toCompactSnapshot`, `pickSessionFields`), the same code simulators and firmware tests run.
 */
import { protocol } from '@marquee/sdk';
import * as z from 'zod';
import { validationError } from '../../core/http-errors';
import type { Hub, HubSubscriber } from '../../core/ws';
import { NOW_PLAYING_TOPIC } from './service';

const { NowPlayingQuery, pickSessionFields, toCompactSnapshot } = protocol.nowPlaying;

type Snapshot = protocol.nowPlaying.Snapshot;
type Query = z.output<typeof NowPlayingQuery>;

/** One form of the snapshot and the topic its subscribers share. */
export interface SnapshotProfile {
  readonly topic: string;
  render(snapshot: Snapshot): unknown;
}

const full: SnapshotProfile = { topic: NOW_PLAYING_TOPIC, render: (snapshot) => snapshot };
const compact: SnapshotProfile = {
  topic: `${NOW_PLAYING_TOPIC}:compact`,
  render: (snapshot) => toCompactSnapshot(snapshot),
};

/** The profile a parsed query selects. */
export function snapshotProfile(query: Query): SnapshotProfile {
  if (query.profile === 'compact') return compact;
  const fields = query.fields;
  if (fields === undefined) return full;
  return {
    topic: `${NOW_PLAYING_TOPIC}:fields=${fields.join(',')}`,
    render: (snapshot) => pickSessionFields(snapshot, fields),
  };
}

/** The profile of a socket's upgrade URL; BAD_REQUEST names the invalid parameter. */
export function profileOfUrl(url: URL): SnapshotProfile {
  const parsed = z.safeParse(NowPlayingQuery, Object.fromEntries(url.searchParams));
  if (!parsed.success) throw validationError(parsed.error, 'query');
  return snapshotProfile(parsed.data);
}

export interface ProfileTopicsOptions {
  readonly hub: Hub;
  /** A profile other than the full one got its first subscriber. */
  readonly onFirst: () => void;
  /** A profile other than the full one lost its last subscriber. */
  readonly onLast: () => void;
}

/**
 * The profiles other than the full snapshot that have subscribers; the full snapshot is published
 * on its topic by the service itself (`deps.broadcast`).
 */
export class ProfileTopics {
  readonly #options: ProfileTopicsOptions;
  readonly #live = new Map<string, { readonly profile: SnapshotProfile; subscribers: number }>();

  constructor(options: ProfileTopicsOptions) {
    this.#options = options;
  }

  /** Subscribes `subscriber` to `profile`'s topic until it closes. */
  join(subscriber: HubSubscriber, profile: SnapshotProfile): void {
    if (subscriber.isClosed) return;
    if (profile.topic === full.topic) {
      this.#options.hub.subscribe(full.topic, subscriber);
      return;
    }
    const live = this.#live.get(profile.topic) ?? { profile, subscribers: 0 };
    this.#live.set(profile.topic, live);
    live.subscribers++;
    if (live.subscribers === 1) this.#options.onFirst();
    this.#options.hub.subscribe(profile.topic, subscriber);
    subscriber.onClose(() => {
      live.subscribers--;
      if (live.subscribers > 0) return;
      this.#live.delete(profile.topic);
      this.#options.onLast();
    });
  }

  /** Renders and publishes `snapshot` once per live profile (latest wins for slow sockets). */
  publish(snapshot: Snapshot): void {
    for (const { profile } of this.#live.values()) {
      this.#options.hub.publishLatest(profile.topic, 'snapshot', profile.render(snapshot));
    }
  }

  /** Topics with subscribers, the full one excluded. */
  get topics(): string[] {
    return [...this.#live.keys()];
  }
}
