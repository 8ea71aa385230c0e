/**
 * Now Playing across instances (`MARQUEE_REDIS_URL`; docs/deploy.md, "Several instances"). A
 * player posts its session to whichever instance the load balancer picks, and that instance's
 * tracker holds it (TTL, history, limits as alone). Each instance shares the sessions it holds as
 * its state of the `now-playing` topic on the bus; the instances with Now Playing subscribers (and
 * only those) declare their interest, receive every change and add those sessions to the
 * snapshots they broadcast. An instance that gains its first subscriber reads the others' current
 * sessions before that subscriber's first snapshot; one that stops, or goes silent past the node
 * TTL, has its sessions dropped from the others' snapshots.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import * as z from 'zod';
import type { Identity } from '../../core/auth';
import type { ClusterBus } from '../../core/bus';
import type { NowPlayingService } from './service';

export const NOW_PLAYING_BUS_TOPIC = 'now-playing';
const STOP = 'now-playing.stop';

/** Who asked another instance to stop a session it holds. */
const StopRequest = z.object({
  session_id: z.string(),
  identity: z.object({
    kind: z.literal('user'),
    userId: z.number().int(),
    username: z.string(),
    role: z.enum(['admin', 'operator', 'viewer', 'device']),
  }),
});

interface ClusterLogger {
  warn(obj: object, msg?: string): void;
}

export interface NowPlayingClusterOptions {
  readonly bus: ClusterBus;
  readonly service: NowPlayingService;
  readonly logger: ClusterLogger;
}

/** An instance's share: its sessions, numbered so an older read never replaces a newer message. */
const SharedSessions = z.object({
  seq: z.number().int(),
  sessions: z.array(protocol.nowPlaying.Session),
});

export class NowPlayingCluster {
  readonly #bus: ClusterBus;
  readonly #service: NowPlayingService;
  readonly #logger: ClusterLogger;
  readonly #stops: (() => void)[] = [];
  #releaseInterest: (() => void) | undefined;
  /** The read of the other instances' sessions in progress (the first subscriber waits on it). */
  #refreshing: Promise<void> | undefined;
  #publishScheduled = false;
  #seq = 0;
  /** The newest `seq` applied per instance. */
  readonly #applied = new Map<string, number>();

  constructor(options: NowPlayingClusterOptions) {
    this.#bus = options.bus;
    this.#service = options.service;
    this.#logger = options.logger;
    if (!this.#bus.clustered) return;
    const { service, bus } = options;
    this.#stops.push(
      service.onLocalChange(() => this.#schedulePublish()),
      bus.on(`state:${NOW_PLAYING_BUS_TOPIC}`, (payload, from) => {
        if (this.#releaseInterest === undefined) return;
        this.#apply(from, payload);
      }),
      bus.onNodeDown((node) => {
        this.#applied.delete(node);
        service.dropRemoteSessions(node);
      }),
      // A node that appears (or came back with Redis) re-shares its sessions; read them.
      bus.onNodeUp(() => {
        if (this.#releaseInterest !== undefined) void this.refresh();
      }),
      bus.onReconnect(() => {
        if (this.#releaseInterest !== undefined) void this.refresh();
      }),
      // Stopped through another instance (checked there; checked again here).
      bus.on(STOP, (payload, from) => {
        const request = StopRequest.safeParse(payload);
        if (!request.success) return;
        try {
          service.stop(request.data.identity, request.data.session_id);
        } catch (error) {
          this.#logger.warn({ err: error, from }, 'a session stop from another instance failed');
        }
      }),
    );
  }

  /** Coalesces the changes of one event-loop turn into one state. */
  #schedulePublish(): void {
    if (this.#publishScheduled) return;
    this.#publishScheduled = true;
    setImmediate(() => {
      this.#publishScheduled = false;
      this.#bus.publishState(NOW_PLAYING_BUS_TOPIC, {
        seq: ++this.#seq,
        sessions: this.#service.localSessions(),
      });
    });
  }

  #apply(node: string, payload: unknown): void {
    const parsed = SharedSessions.safeParse(payload);
    if (!parsed.success) {
      this.#logger.warn({ node }, 'an instance shared Now Playing sessions that do not parse');
      return;
    }
    if (parsed.data.seq <= (this.#applied.get(node) ?? 0)) return;
    this.#applied.set(node, parsed.data.seq);
    this.#service.setRemoteSessions(node, parsed.data.sessions);
  }

  /** Reads every other instance's sessions now (the first subscriber, a returning Redis). */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const states = await this.#bus.states(NOW_PLAYING_BUS_TOPIC);
        for (const node of this.#service.remoteNodes()) {
          if (states.has(node)) continue;
          this.#applied.delete(node);
          this.#service.dropRemoteSessions(node);
        }
        for (const [node, state] of states) this.#apply(node, state);
      } catch (error) {
        this.#logger.warn(
          { err: error },
          'could not read the other instances\u2019 Now Playing sessions (Redis away); showing this instance\u2019s',
        );
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Subscribers appeared here: listen to the other instances. */
  wanted(): void {
    if (!this.#bus.clustered || this.#releaseInterest !== undefined) return;
    this.#releaseInterest = this.#bus.interest(NOW_PLAYING_BUS_TOPIC);
    this.#service.holdUntil(this.refresh());
  }

  /** No subscriber left here: stop listening; the others' sessions go stale, so drop them. */
  unwanted(): void {
    this.#releaseInterest?.();
    this.#releaseInterest = undefined;
    this.#applied.clear();
    this.#service.dropRemoteSessions();
  }

  /**
   * Before a snapshot is read: current when listening (waits for a read in progress), else read
   * once (a REST read on an instance without subscribers).
   */
  async current(): Promise<void> {
    if (!this.#bus.clustered) return;
    if (this.#releaseInterest === undefined) {
      await this.refresh();
      return;
    }
    await this.#refreshing;
  }

  /**
   * Stops a session posted to another instance: asks that instance, once the caller may (its
   * owner or an admin). False when no other instance holds it.
   */
  stopElsewhere(identity: Identity & { kind: 'user' }, sessionId: string): boolean {
    const remote = this.#service.remoteSession(sessionId);
    if (remote === undefined) return false;
    if (remote.session.user_id !== identity.userId && identity.role !== 'admin') {
      throw new MarqueeError('FORBIDDEN', 'Only the session owner or an admin can stop it');
    }
    const { kind, userId, username, role } = identity;
    this.#bus.sendTo(remote.node, STOP, {
      session_id: sessionId,
      identity: { kind, userId, username, role },
    });
    return true;
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#releaseInterest?.();
    this.#releaseInterest = undefined;
  }
}
