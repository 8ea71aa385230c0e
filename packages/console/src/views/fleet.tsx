/**
 * Fleet: every registered device with its online state, last seen, current playlist and how far
 * it is there, free storage, app version, last screenshot (a thumbnail; click for full size) and
 * pending commands, read again when the fleet's push channel says a device or command changed; a
 * device opens its detail (what it reported per playlist, screens, commands).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { DeviceList, PlaylistList } from '@marquee/sdk';
import { signage } from '../api';
import { useLive } from '../live';
import { Alert, Badge, PLAYLIST_STATUS_TONE, when } from '../ui';
import { BulkCommand } from './bulk-command';
import { DeviceDetailView } from './device-detail';

export default function Fleet(): JSX.Element {
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const choose = (sn: string, on: boolean) =>
    setChosen((set) => {
      const next = new Set(set);
      if (on) next.add(sn);
      else next.delete(sn);
      return next;
    });
  const devices = useLive<DeviceList>(
    () => signage.listDevices(search.trim() === '' ? {} : { search: search.trim() }),
    // Every device notice, and commands: they change the pending counts.
    { stale: (event) => event.type !== 'pairing' },
  );
  const playlists = useLive<PlaylistList>(() => signage.listPlaylists());
  const playlistName = (id: number) =>
    playlists.data?.results.find((p) => p.id === id)?.name ?? `Playlist ${id}`;
  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      <label class="field inline">
        <span>Search</span>
        <input
          type="search"
          value={search}
          onInput={(event) => setSearch(event.currentTarget.value)}
          placeholder="Serial, name or model"
        />
      </label>
      {devices.error !== undefined && <Alert>{devices.error}</Alert>}
      {devices.data === undefined ? (
        <p>Loading devices…</p>
      ) : devices.data.results.length === 0 ? (
        <p>No device is registered yet. Approve a TV's code under Pairing.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="devices">
            <caption class="sr-only">Devices ({devices.data.count})</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span class="sr-only">Chosen for a bulk command</span>
                </th>
                <th scope="col">Device</th>
                <th scope="col">State</th>
                <th scope="col">Last seen</th>
                <th scope="col">Playing</th>
                <th scope="col">Free storage</th>
                <th scope="col">App</th>
                <th scope="col">Screenshot</th>
                <th scope="col">Pending commands</th>
              </tr>
            </thead>
            <tbody>
              {devices.data.results.map((device) => (
                <tr
                  key={device.sn_number}
                  data-sn={device.sn_number}
                  class={device.sn_number === selected ? 'selected' : undefined}
                >
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Choose ${device.name ?? device.sn_number}`}
                      checked={chosen.has(device.sn_number)}
                      onChange={(event) => choose(device.sn_number, event.currentTarget.checked)}
                    />
                  </td>
                  <th scope="row">
                    <button
                      type="button"
                      class="link"
                      aria-expanded={device.sn_number === selected}
                      onClick={() =>
                        setSelected(device.sn_number === selected ? undefined : device.sn_number)
                      }
                    >
                      {device.name ?? device.sn_number}
                    </button>
                    {device.name !== null && <small> {device.sn_number}</small>}
                  </th>
                  <td>
                    {device.online ? (
                      <Badge tone="ok">online</Badge>
                    ) : (
                      <Badge tone="idle">offline</Badge>
                    )}
                  </td>
                  <td>{when(device.last_seen)}</td>
                  <td data-col="playing">
                    {device.current_playlist === null ? (
                      '—'
                    ) : (
                      <>
                        {playlistName(device.current_playlist)}{' '}
                        {device.current_playlist_status !== null && (
                          <Badge tone={PLAYLIST_STATUS_TONE[device.current_playlist_status]}>
                            {device.current_playlist_status}
                          </Badge>
                        )}
                      </>
                    )}
                  </td>
                  <td>{device.free_storage}</td>
                  <td>{device.app_version}</td>
                  <td data-col="screenshot">
                    {device.last_screenshot === null ? (
                      '—'
                    ) : (
                      <a href={device.last_screenshot.url} target="_blank" rel="noreferrer">
                        <img
                          class="shot"
                          src={device.last_screenshot.url}
                          loading="lazy"
                          alt={`Screenshot of ${device.name ?? device.sn_number} at ${when(device.last_screenshot.created_at)}`}
                        />
                      </a>
                    )}
                  </td>
                  <td data-col="pending">{device.pending_command_count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {devices.data !== undefined && devices.data.results.length > 0 && (
        <BulkCommand chosen={[...chosen]} onSent={devices.reload} />
      )}
      {selected !== undefined && (
        <DeviceDetailView
          key={selected}
          snNumber={selected}
          onClose={() => setSelected(undefined)}
        />
      )}
    </section>
  );
}
