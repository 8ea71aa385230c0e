/**
 * Now Playing and system stats to MQTT, from the snapshots the Now Playing surface broadcasts
 * (the same ones its panels get, driven by the shared system sampler): per session a sensor (its
 * state, with title, user, progress and media type as attributes) and a progress sensor, created
 * when the session appears and removed when it ends; a summary sensor (active sessions, with the
 * list as attributes); one sensor per system figure.
 */
import type { protocol } from '@marquee/sdk';
import { objectIdOf, type EntitySpec } from './discovery';
import type { Entities } from './entities';

type Snapshot = protocol.nowPlaying.Snapshot;
type Session = protocol.nowPlaying.Session;

/** Sessions listed in the summary's attributes (Home Assistant keeps attributes small). */
export const SUMMARY_MAX_SESSIONS = 50;

const measurement = { component: 'sensor', stateClass: 'measurement' } as const;

/** One sensor per system figure, all read from `<base>/system`. */
export const SYSTEM_ENTITIES: readonly EntitySpec[] = [
  ['cpu', 'CPU', 'cpu_percent', '%', undefined, 'mdi:cpu-64-bit'],
  ['cpu_temperature', 'CPU temperature', 'cpu_temp', '°C', 'temperature', undefined],
  ['memory', 'Memory', 'ram_percent', '%', undefined, 'mdi:memory'],
  ['memory_used', 'Memory used', 'ram_used_mb', 'MiB', 'data_size', undefined],
  ['disk', 'Disk', 'disk_percent', '%', undefined, 'mdi:harddisk'],
  ['network_down', 'Network down', 'network_down_bps', 'bit/s', 'data_rate', undefined],
  ['network_up', 'Network up', 'network_up_bps', 'bit/s', 'data_rate', undefined],
  ['load', 'Load average', 'load_avg', undefined, undefined, 'mdi:gauge'],
].map(([objectId, name, field, unit, deviceClass, icon]) => ({
  ...measurement,
  objectId: `system_${objectId}`,
  name: name ?? '',
  state: 'system',
  // A figure the machine cannot read (no temperature sensor) is null: Home Assistant's unknown.
  valueTemplate: `{{ value_json.${field ?? ''} if value_json.${field ?? ''} is not none else None }}`,
  ...(unit === undefined ? {} : { unit }),
  ...(deviceClass === undefined ? {} : { deviceClass }),
  ...(icon === undefined ? {} : { icon }),
}));

export const SUMMARY_ENTITY: EntitySpec = {
  ...measurement,
  objectId: 'now_playing_sessions',
  name: 'Now Playing sessions',
  state: 'now_playing/summary',
  valueTemplate: '{{ value_json.active_sessions }}',
  attributes: true,
  icon: 'mdi:play-network',
};

/** The entities of one session (its state topic is `now_playing/session/<object id>`). */
export function sessionEntities(sessionId: string): readonly EntitySpec[] {
  const id = objectIdOf('session', sessionId);
  const state = `now_playing/session/${id}`;
  return [
    {
      component: 'sensor',
      objectId: id,
      name: `Session ${sessionId}`,
      state,
      valueTemplate: '{{ value_json.state }}',
      attributes: true,
      icon: 'mdi:play-circle',
    },
    {
      ...measurement,
      objectId: `${id}_progress`,
      name: `Session ${sessionId} progress`,
      state,
      valueTemplate: '{{ value_json.progress }}',
      unit: '%',
      icon: 'mdi:progress-clock',
    },
  ];
}

function sessionState(session: Session) {
  return {
    session_id: session.session_id,
    state: session.state,
    title: session.title,
    user: session.username,
    progress: Math.round(session.progress_percent * 10) / 10,
    media_type: session.media_type,
    duration: session.duration,
    source: session.source ?? 'marquee',
  };
}

export class NowPlayingEntities {
  readonly #entities: Entities;
  /** Sessions announced, by session id. */
  readonly #sessions = new Map<string, readonly EntitySpec[]>();

  constructor(entities: Entities) {
    this.#entities = entities;
    for (const spec of [...SYSTEM_ENTITIES, SUMMARY_ENTITY]) entities.ensure(spec);
  }

  onSnapshot(snapshot: Snapshot): void {
    const live = new Set<string>();
    for (const session of snapshot.sessions) {
      live.add(session.session_id);
      let specs = this.#sessions.get(session.session_id);
      if (specs === undefined) {
        specs = sessionEntities(session.session_id);
        this.#sessions.set(session.session_id, specs);
        for (const spec of specs) this.#entities.ensure(spec);
      }
      this.#entities.state(specs[0]?.state ?? '', sessionState(session));
    }
    for (const [sessionId, specs] of this.#sessions) {
      if (live.has(sessionId)) continue;
      this.#sessions.delete(sessionId);
      this.#entities.remove(specs);
    }
    this.#entities.state(SUMMARY_ENTITY.state, {
      active_sessions: snapshot.sessions.length,
      active_users: snapshot.system.active_users,
      sessions: snapshot.sessions.slice(0, SUMMARY_MAX_SESSIONS).map((s) => ({
        session_id: s.session_id,
        user: s.username,
        title: s.title,
        state: s.state,
        progress: Math.round(s.progress_percent),
      })),
    });
    const { active_users: _users, ...system } = snapshot.system;
    this.#entities.state('system', system);
  }
}
