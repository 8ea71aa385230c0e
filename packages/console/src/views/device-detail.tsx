/**
 * One device: what it plays and reported, its screens (assign a playlist), its last screenshot
 * and its commands. Read again when the fleet's push channel says the device or one of its
 * commands changed.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type DeviceDetail, type PlaylistList } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { check, field, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { Alert, Badge, PLAYLIST_STATUS_TONE, when } from '../ui';
import { Commands } from './commands';

const POSITIONS = ['front', 'back', 'left', 'right'] as const;
type Position = (typeof POSITIONS)[number];

export function DeviceDetailView(props: {
  readonly snNumber: string;
  readonly onClose: () => void;
}): JSX.Element {
  const device = useLive<DeviceDetail>(() => signage.getDevice(props.snNumber), {
    stale: (event) =>
      event.type === 'commands_expired' ||
      ((event.type === 'device' || event.type === 'command') && event.sn_number === props.snNumber),
  });
  const playlists = useLive<PlaylistList>(() => signage.listPlaylists());
  const name = (id: number | null) =>
    id === null
      ? '—'
      : (playlists.data?.results.find((p) => p.id === id)?.name ?? `Playlist ${id}`);
  const d = device.data;
  return (
    <section class="panel" aria-labelledby="device-title" data-testid="device-detail">
      <header class="panel-head">
        <h2 id="device-title">{d?.name ?? props.snNumber}</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      {device.error !== undefined && <Alert>{device.error}</Alert>}
      {d === undefined ? (
        <p>Loading…</p>
      ) : (
        <div class="grid">
          <dl class="facts">
            <dt>Serial</dt>
            <dd>{d.sn_number}</dd>
            <dt>State</dt>
            <dd>
              {d.online ? <Badge tone="ok">online</Badge> : <Badge tone="idle">offline</Badge>}
            </dd>
            <dt>Last seen</dt>
            <dd>{when(d.last_seen)}</dd>
            <dt>Current playlist</dt>
            <dd data-testid="current-playlist">{name(d.current_playlist)}</dd>
            <dt>Model</dt>
            <dd>
              {d.brand} {d.model}, {d.os_version}, {d.screen_resolution}
            </dd>
            <dt>Storage</dt>
            <dd>
              {d.free_storage} free of {d.total_storage}
            </dd>
            <dt>App version</dt>
            <dd>{d.app_version}</dd>
          </dl>
          <div>
            <h3>Playlists on the device</h3>
            {d.playlist_statuses.length === 0 ? (
              <p>Nothing reported yet.</p>
            ) : (
              <ul class="plain" data-testid="playlist-statuses">
                {d.playlist_statuses.map((report) => (
                  <li key={report.playlist_id} data-playlist={report.playlist_id}>
                    {name(report.playlist_id)}:{' '}
                    <Badge tone={PLAYLIST_STATUS_TONE[report.status]}>{report.status}</Badge>{' '}
                    {report.total_items !== null &&
                      `${report.downloaded_items ?? 0}/${report.total_items} files`}
                    {report.error !== null && <small class="error"> {report.error}</small>}
                  </li>
                ))}
              </ul>
            )}
            <h3>Last screenshot</h3>
            {d.last_screenshot === null ? (
              <p>None yet. Send “Take screenshot”.</p>
            ) : (
              <a href={d.last_screenshot.url} target="_blank" rel="noreferrer">
                <img
                  class="thumb"
                  src={d.last_screenshot.url}
                  alt={`Screenshot of ${d.name ?? d.sn_number} at ${when(d.last_screenshot.created_at)}`}
                  data-testid="screenshot"
                />
              </a>
            )}
          </div>
          <Screens device={d} playlists={playlists.data} onChange={device.reload} />
          <Commands snNumber={d.sn_number} playlists={playlists.data} />
        </div>
      )}
    </section>
  );
}

function Screens(props: {
  readonly device: DeviceDetail;
  readonly playlists: PlaylistList | undefined;
  readonly onChange: () => Promise<void>;
}): JSX.Element {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const screens = POSITIONS.map((position) => ({
    position,
    screen: props.device[`${position}_screen`],
  }));

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const position = field(form, 'position') as Position;
    const playlistId = Number(field(form, 'playlist'));
    const parsed = check(protocol.signage.ScreenInput, {
      screen_name: field(form, 'screen_name'),
      resolution: props.device.screen_resolution || '1920x1080',
      playlist_ids: Number.isInteger(playlistId) && playlistId > 0 ? [playlistId] : [],
      current_playlist: Number.isInteger(playlistId) && playlistId > 0 ? playlistId : null,
    });
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      await signage.setScreen(props.device.sn_number, position, parsed.value);
      setDone(`Assigned to the ${position} screen.`);
      await props.onChange();
    } catch (error) {
      setFailure(describeError(error));
    }
  };

  return (
    <div>
      <h3>Screens</h3>
      <ul class="plain">
        {screens.map(({ position, screen }) => (
          <li key={position}>
            <strong>{position}</strong>:{' '}
            {screen === null
              ? 'not set'
              : `${screen.screen_name} — ${screen.playlist_ids
                  .map((id) => props.playlists?.results.find((p) => p.id === id)?.name ?? id)
                  .join(', ')}`}
          </li>
        ))}
      </ul>
      <form
        noValidate
        class="stack"
        onSubmit={(event) => void submit(event)}
        aria-label="Assign a playlist"
      >
        <label class="field">
          <span>Screen</span>
          <select name="position">
            {POSITIONS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Screen name</span>
          <input
            name="screen_name"
            defaultValue="Main"
            aria-invalid={errors.screen_name ? 'true' : undefined}
          />
          {errors.screen_name !== undefined && <small class="error">{errors.screen_name}</small>}
        </label>
        <label class="field">
          <span>Playlist</span>
          <select name="playlist">
            {(props.playlists?.results ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {failure !== undefined && <Alert>{failure}</Alert>}
        {done !== undefined && <p role="status">{done}</p>}
        <button type="submit" class="primary" disabled={!props.playlists?.results.length}>
          Assign
        </button>
      </form>
    </div>
  );
}
