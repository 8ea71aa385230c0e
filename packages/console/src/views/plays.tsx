/**
 * Proof of play: the plays the TVs reported, filtered by device, days, media item and playlist;
 * totals per item, per device and per day (count and time on screen) computed from the matching
 * plays (read page by page, up to a bound, and marked partial past it); the plays themselves a
 * page at a time; and the server's CSV export of the same filters, downloaded through the SDK.
 * Operators and admins only, as the route table says (`auth: 'operator'`).
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { protocol, type DeviceList, type MediaList, type PlaylistList } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { check, field, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { useSession } from '../session';
import { Alert, Badge, when } from '../ui';
import { duration, readSummary, type PlaySummary, type Total } from './plays-summary';

type Filters = protocol.signage.PlayExportQuery;
type PlayList = protocol.signage.PlayList;

/** Plays per page of the table. */
export const PAGE_SIZE = 25;

/** Midnight starting a `YYYY-MM-DD` day in the browser's time zone, as an ISO instant. */
function dayStart(day: string, plusDays = 0): string {
  const start = new Date(`${day}T00:00:00`);
  start.setDate(start.getDate() + plusDays);
  return start.toISOString();
}

function filtersFrom(form: HTMLFormElement): { filters?: Filters; errors: FieldErrors } {
  const fromDay = field(form, 'from_day');
  const toDay = field(form, 'to_day');
  const number = (name: string) => {
    const text = field(form, name);
    return text === '' ? undefined : Number(text);
  };
  const input = {
    sn_number: field(form, 'sn_number') || undefined,
    from: fromDay === '' ? undefined : dayStart(fromDay),
    // The last day is included: plays before the next midnight.
    to: toDay === '' ? undefined : dayStart(toDay, 1),
    media_id: number('media_id'),
    playlist_id: number('playlist_id'),
  };
  if (fromDay !== '' && toDay !== '' && toDay < fromDay)
    return { errors: { to: 'The last day is before the first.' } };
  const parsed = check(protocol.signage.PlayExportQuery, input);
  if (!parsed.ok) return { errors: parsed.errors };
  return { filters: parsed.value, errors: {} };
}

export default function Plays(): JSX.Element {
  const session = useSession();
  const [filters, setFilters] = useState<Filters>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const devices = useLive<DeviceList>(() => signage.listDevices());
  const media = useLive<MediaList>(() => signage.listMedia());
  const playlists = useLive<PlaylistList>(() => signage.listPlaylists());
  const names: Names = {
    media: new Map((media.data?.results ?? []).map((m) => [String(m.media_id), m.media_name])),
    playlist: new Map((playlists.data?.results ?? []).map((p) => [String(p.id), p.name])),
    device: new Map((devices.data?.results ?? []).map((d) => [d.sn_number, d.name ?? ''])),
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = filtersFrom(event.currentTarget as HTMLFormElement);
    setErrors(result.errors);
    if (result.filters) setFilters(result.filters);
  };
  const firstError = Object.values(errors)[0];

  return (
    <section aria-labelledby="plays-title">
      <h1 id="plays-title">Proof of play</h1>
      <form
        noValidate
        class="row panel"
        aria-label="Play filters"
        onSubmit={(event) => submit(event)}
      >
        <label class="field">
          <span>Device</span>
          <select name="sn_number">
            <option value="">Every device</option>
            {(devices.data?.results ?? []).map((d) => (
              <option key={d.sn_number} value={d.sn_number}>
                {d.name === null || d.name === '' ? d.sn_number : `${d.name} (${d.sn_number})`}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>First day</span>
          <input name="from_day" type="date" />
        </label>
        <label class="field">
          <span>Last day</span>
          <input
            name="to_day"
            type="date"
            aria-invalid={errors.to === undefined ? undefined : 'true'}
          />
        </label>
        <label class="field">
          <span>Media item</span>
          <select name="media_id">
            <option value="">Every item</option>
            {(media.data?.results ?? []).map((m) => (
              <option key={m.media_id} value={m.media_id}>
                {m.media_name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Playlist</span>
          <select name="playlist_id">
            <option value="">Every playlist</option>
            {(playlists.data?.results ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Show plays
        </button>
        {firstError !== undefined && <Alert>{firstError}</Alert>}
      </form>
      {/* A new set of filters starts the summary, the table and the export afresh. */}
      <Results key={JSON.stringify(filters)} filters={filters} names={names} lost={session.lost} />
    </section>
  );
}

interface Names {
  readonly media: ReadonlyMap<string, string>;
  readonly playlist: ReadonlyMap<string, string>;
  readonly device: ReadonlyMap<string, string>;
}

function Results(props: {
  readonly filters: Filters;
  readonly names: Names;
  readonly lost: (error: unknown) => boolean;
}): JSX.Element {
  const { filters, names } = props;
  const [page, setPage] = useState(0);
  const [exporting, setExporting] = useState<string | undefined>(undefined);
  const summary = useLive<PlaySummary>(() =>
    readSummary((query) => signage.listPlays(query), filters),
  );
  const plays = useLive<PlayList>(() =>
    signage.listPlays({ ...filters, limit: PAGE_SIZE, offset: page * PAGE_SIZE }),
  );
  const pages = Math.max(1, Math.ceil((plays.data?.count ?? 0) / PAGE_SIZE));

  // After a page turn has rendered (the read closure sees the new page), read it at once.
  useEffect(() => void plays.reload(), [page]);
  const turn = (to: number) => setPage(to);

  const download = async () => {
    setExporting('Preparing the CSV…');
    try {
      const csv = await signage.exportPlays(filters);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `marquee-plays-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setExporting(undefined);
    } catch (error) {
      if (props.lost(error)) return;
      setExporting(describeError(error));
    }
  };

  const mediaName = (id: string) => names.media.get(id) ?? `media ${id}`;
  const deviceName = (sn: string) => {
    const name = names.device.get(sn);
    return name === undefined || name === '' ? sn : `${name} (${sn})`;
  };

  return (
    <>
      <h2>Summary</h2>
      {summary.error !== undefined && <Alert>{summary.error}</Alert>}
      {summary.data === undefined ? (
        <p>Counting plays…</p>
      ) : (
        <>
          <p data-testid="plays-total">
            {summary.data.counted} plays
            {summary.data.counted < summary.data.matching && (
              <>
                {' '}
                <Badge tone="warn">partial</Badge> The totals count the first {summary.data.counted}{' '}
                of {summary.data.matching} matching plays; narrow the filters for exact totals (the
                CSV export holds every one).
              </>
            )}
          </p>
          <div class="grid">
            {(
              [
                ['by-media', 'Per media item', 'Media item', summary.data.byMedia, mediaName],
                ['by-device', 'Per device', 'Device', summary.data.byDevice, deviceName],
                ['by-day', 'Per day', 'Day', summary.data.byDay, (day: string) => day],
              ] as const
            ).map(([id, title, heading, rows, label]) => (
              <TotalsTable
                key={id}
                id={id}
                title={title}
                heading={heading}
                rows={rows}
                label={label}
              />
            ))}
          </div>
        </>
      )}

      <div class="row">
        <h2>Plays</h2>
        <button type="button" onClick={() => void download()}>
          Export CSV
        </button>
        {exporting !== undefined && (
          <span role="status" data-testid="export-state">
            {exporting}
          </span>
        )}
      </div>
      {plays.error !== undefined && <Alert>{plays.error}</Alert>}
      {plays.data === undefined ? (
        <p>Loading plays…</p>
      ) : plays.data.count === 0 ? (
        <p>No play matches. TVs send their plays every few minutes.</p>
      ) : (
        <>
          <div class="table-wrap">
            <table data-testid="plays">
              <caption class="sr-only">Plays ({plays.data.count}), oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Device</th>
                  <th scope="col">Media item</th>
                  <th scope="col">Playlist</th>
                  <th scope="col">Zone</th>
                  <th scope="col">Time on screen</th>
                  <th scope="col">Completed</th>
                </tr>
              </thead>
              <tbody>
                {plays.data.results.map((play) => (
                  <tr key={`${play.sn_number}/${play.id}`} data-play={play.id}>
                    <td>{when(play.started_at)}</td>
                    <td>{deviceName(play.sn_number)}</td>
                    <td>{mediaName(String(play.media_id))}</td>
                    <td>
                      {names.playlist.get(String(play.playlist_id)) ??
                        `playlist ${play.playlist_id}`}
                    </td>
                    <td>{play.zone}</td>
                    <td>{duration(play.duration_ms)}</td>
                    <td>{play.completed ? 'yes' : 'cut short'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="row" aria-label="Play pages">
            <button type="button" disabled={page === 0} onClick={() => turn(page - 1)}>
              Earlier plays
            </button>
            <span data-testid="plays-page">
              Page {Math.min(page + 1, pages)} of {pages}
            </span>
            <button type="button" disabled={page + 1 >= pages} onClick={() => turn(page + 1)}>
              Later plays
            </button>
          </nav>
        </>
      )}
    </>
  );
}

function TotalsTable(props: {
  readonly id: string;
  readonly title: string;
  readonly heading: string;
  readonly rows: readonly Total[];
  readonly label: (key: string) => string;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table data-testid={props.id}>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">{props.heading}</th>
            <th scope="col">Plays</th>
            <th scope="col">Time on screen</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.key} data-key={row.key}>
              <th scope="row">{props.label(row.key)}</th>
              <td>{row.plays}</td>
              <td>{duration(row.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
