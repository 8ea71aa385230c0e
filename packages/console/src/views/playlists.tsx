/**
 * Playlists: the list, and an editor with the seed's fields: items in order (move up and down),
 * each with its duration, `n_time_play` and layout zone (x, y, width, height, z) on the
 * playlist's canvas, plus repeat and repeat count, and day-parting windows (days, start, end in
 * the device's time zone). Saved with the SDK's `PlaylistInput` schema
 * checked first; devices showing a saved playlist get `reload_playlist` from the server.
 * Assigning a playlist to a screen is done from a device in Fleet.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type AdminPlaylist, type MediaList, type PlaylistList } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { check, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { Alert } from '../ui';

interface ItemDraft {
  readonly media_id: number;
  readonly duration: string;
  readonly n_time_play: string;
  readonly x: string;
  readonly y: string;
  readonly width: string;
  readonly height: string;
  readonly z_index: string;
}

type Day = protocol.signage.ScheduleDay;
const DAYS: readonly Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface WindowDraft {
  readonly days: readonly Day[];
  readonly start: string;
  readonly end: string;
}

interface Draft {
  readonly id: number | undefined;
  /** The devices showing it (from the server; not edited here). */
  readonly snNumbers: readonly string[];
  readonly name: string;
  readonly width: string;
  readonly height: string;
  readonly repeat: boolean;
  readonly repeat_count: string;
  readonly items: readonly ItemDraft[];
  /** Day-parting windows; none: the playlist plays always. */
  readonly windows: readonly WindowDraft[];
}

const EMPTY: Draft = {
  id: undefined,
  snNumbers: [],
  name: '',
  width: '1920',
  height: '1080',
  repeat: true,
  repeat_count: '-1',
  items: [],
  windows: [],
};

function draftOf(playlist: AdminPlaylist): Draft {
  return {
    id: playlist.id,
    snNumbers: playlist.sn_numbers,
    name: playlist.name,
    width: String(playlist.width),
    height: String(playlist.height),
    repeat: playlist.playback_config.repeat,
    repeat_count: String(playlist.playback_config.repeat_count),
    items: playlist.media_items.map((item) => ({
      media_id: item.media_id,
      duration: String(item.timing.duration),
      n_time_play: String(item.n_time_play),
      x: String(item.layout.x),
      y: String(item.layout.y),
      width: String(item.layout.width),
      height: String(item.layout.height),
      z_index: String(item.layout.z_index),
    })),
    windows: (playlist.schedule ?? []).map((window) => ({
      days: window.days,
      start: window.start,
      end: window.end,
    })),
  };
}

const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

function inputOf(draft: Draft): unknown {
  return {
    name: draft.name.trim(),
    width: num(draft.width),
    height: num(draft.height),
    playback_config: {
      repeat: draft.repeat,
      repeat_count: num(draft.repeat_count),
      background_color: '#000000',
    },
    media_items: draft.items.map((item, order) => ({
      media_id: item.media_id,
      order,
      n_time_play: num(item.n_time_play),
      timing: { start_time: 0, duration: num(item.duration), loop: false },
      layout: {
        x: num(item.x),
        y: num(item.y),
        width: num(item.width),
        height: num(item.height),
        z_index: num(item.z_index),
      },
      effects: { fade_in: false, fade_out: false, transition: 'none' },
    })),
    schedule:
      draft.windows.length === 0
        ? null
        : draft.windows.map((window) => ({
            days: DAYS.filter((day) => window.days.includes(day)),
            start: window.start.trim(),
            end: window.end.trim(),
          })),
  };
}

export default function Playlists(): JSX.Element {
  // A screen assignment changes a playlist's devices.
  const playlists = useLive<PlaylistList>(() => signage.listPlaylists(), {
    stale: (event) => event.type === 'device' && event.change === 'current_playlist',
  });
  const media = useLive<MediaList>(() => signage.listMedia());
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  return (
    <section aria-labelledby="playlists-title">
      <h1 id="playlists-title">Playlists</h1>
      {saved !== undefined && <p role="status">{saved}</p>}
      {playlists.error !== undefined && <Alert>{playlists.error}</Alert>}
      <div class="row">
        <button type="button" class="primary" onClick={() => setDraft(EMPTY)}>
          New playlist
        </button>
      </div>
      <ul class="plain" data-testid="playlists">
        {(playlists.data?.results ?? []).map((p) => (
          <li key={p.id}>
            <button type="button" class="link" onClick={() => setDraft(draftOf(p))}>
              {p.name}
            </button>{' '}
            <small>
              {p.media_items.length} items, {p.width}×{p.height}
              {p.sn_numbers.length > 0 && `, on ${p.sn_numbers.join(', ')}`}
            </small>
          </li>
        ))}
      </ul>
      {draft !== undefined && (
        <Editor
          key={draft.id ?? 'new'}
          initial={draft}
          media={media.data}
          onClose={() => setDraft(undefined)}
          onSaved={async (message) => {
            setSaved(message);
            setDraft(undefined);
            await playlists.reload();
          }}
        />
      )}
    </section>
  );
}

function Editor(props: {
  readonly initial: Draft;
  readonly media: MediaList | undefined;
  readonly onClose: () => void;
  readonly onSaved: (message: string) => Promise<void>;
}): JSX.Element {
  const [draft, setDraft] = useState<Draft>(props.initial);
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [adding, setAdding] = useState<string>('');
  const library = props.media?.results ?? [];

  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const setItem = (index: number, change: Partial<ItemDraft>) =>
    setDraft((d) => ({
      ...d,
      items: d.items.map((item, i) => (i === index ? { ...item, ...change } : item)),
    }));
  const setWindow = (index: number, change: Partial<WindowDraft>) =>
    setDraft((d) => ({
      ...d,
      windows: d.windows.map((window, i) => (i === index ? { ...window, ...change } : window)),
    }));
  const move = (index: number, by: -1 | 1) =>
    setDraft((d) => {
      const items = [...d.items];
      const [item] = items.splice(index, 1);
      if (item) items.splice(index + by, 0, item);
      return { ...d, items };
    });

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = check(protocol.signage.PlaylistInput, inputOf(draft));
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      const playlist =
        draft.id === undefined
          ? await signage.createPlaylist(parsed.value)
          : await signage.updatePlaylist(draft.id, parsed.value);
      await props.onSaved(`Saved ${playlist.name}.`);
    } catch (error) {
      setFailure(describeError(error));
    }
  };

  const remove = async (id: number) => {
    try {
      await signage.deletePlaylist(id);
      await props.onSaved(`Deleted ${props.initial.name}.`);
    } catch (error) {
      setFailure(describeError(error));
      setConfirming(false);
    }
  };

  const numberInput = (
    label: string,
    value: string,
    path: string,
    onInput: (value: string) => void,
  ) => (
    <label class="field small">
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        value={value}
        aria-invalid={errors[path] ? 'true' : undefined}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      {errors[path] !== undefined && <small class="error">{errors[path]}</small>}
    </label>
  );

  return (
    <form
      noValidate
      class="panel stack"
      onSubmit={(event) => void save(event)}
      aria-label="Playlist editor"
    >
      <h2>{draft.id === undefined ? 'New playlist' : `Edit ${props.initial.name}`}</h2>
      <label class="field">
        <span>Name</span>
        <input
          name="name"
          value={draft.name}
          aria-invalid={errors.name ? 'true' : undefined}
          onInput={(event) => set({ name: event.currentTarget.value })}
        />
        {errors.name !== undefined && <small class="error">{errors.name}</small>}
      </label>
      <div class="row">
        {numberInput('Width (px)', draft.width, 'width', (width) => set({ width }))}
        {numberInput('Height (px)', draft.height, 'height', (height) => set({ height }))}
        <label class="checkbox">
          <input
            type="checkbox"
            checked={draft.repeat}
            onChange={(event) => set({ repeat: event.currentTarget.checked })}
          />
          <span>Repeat</span>
        </label>
        {numberInput(
          'Repeat count (−1 forever)',
          draft.repeat_count,
          'playback_config.repeat_count',
          (repeat_count) => set({ repeat_count }),
        )}
      </div>
      <ZoneCanvas draft={draft} names={library} />
      <h3>Items</h3>
      {errors.media_items !== undefined && <Alert>{errors.media_items}</Alert>}
      <ol class="items" data-testid="items">
        {draft.items.map((item, index) => {
          const name =
            library.find((m) => m.media_id === item.media_id)?.media_name ??
            `Media ${item.media_id}`;
          const at = (key: string) => `media_items.${index}.${key}`;
          return (
            <li key={`${index}-${item.media_id}`} aria-label={`Item ${index + 1}: ${name}`}>
              <strong>
                {index + 1}. {name}
              </strong>
              <div class="row">
                {numberInput('Seconds', item.duration, at('timing.duration'), (duration) =>
                  setItem(index, { duration }),
                )}
                {numberInput('Times played', item.n_time_play, at('n_time_play'), (n_time_play) =>
                  setItem(index, { n_time_play }),
                )}
                {numberInput('x', item.x, at('layout.x'), (x) => setItem(index, { x }))}
                {numberInput('y', item.y, at('layout.y'), (y) => setItem(index, { y }))}
                {numberInput('w', item.width, at('layout.width'), (width) =>
                  setItem(index, { width }),
                )}
                {numberInput('h', item.height, at('layout.height'), (height) =>
                  setItem(index, { height }),
                )}
                {numberInput('z', item.z_index, at('layout.z_index'), (z_index) =>
                  setItem(index, { z_index }),
                )}
              </div>
              <div class="row">
                <button type="button" disabled={index === 0} onClick={() => move(index, -1)}>
                  Move up
                </button>
                <button
                  type="button"
                  disabled={index === draft.items.length - 1}
                  onClick={() => move(index, 1)}
                >
                  Move down
                </button>
                <button
                  type="button"
                  onClick={() => set({ items: draft.items.filter((_, i) => i !== index) })}
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <div class="row">
        <label class="field">
          <span>Add media</span>
          <select
            name="add_media"
            value={adding}
            onChange={(event) => setAdding(event.currentTarget.value)}
          >
            <option value="">Choose a file…</option>
            {library.map((m) => (
              <option key={m.media_id} value={m.media_id}>
                {m.media_name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={adding === ''}
          onClick={() => {
            set({
              items: [
                ...draft.items,
                {
                  media_id: Number(adding),
                  duration: '10',
                  n_time_play: '1',
                  x: '0',
                  y: '0',
                  width: draft.width,
                  height: draft.height,
                  z_index: '1',
                },
              ],
            });
            setAdding('');
          }}
        >
          Add item
        </button>
      </div>
      <h3>Schedule</h3>
      <p>
        <small>
          Without windows the playlist plays whenever it is the screen's playlist. With windows it
          plays only in them, in each TV's own time zone; an end at or before the start runs past
          midnight, 24:00 is the end of the day.
        </small>
      </p>
      {errors.schedule !== undefined && <Alert>{errors.schedule}</Alert>}
      <ol class="items" data-testid="schedule">
        {draft.windows.map((window, index) => {
          const at = (key: string) => `schedule.${index}.${key}`;
          const timeInput = (label: string, key: 'start' | 'end') => (
            <label class="field small">
              <span>{label}</span>
              <input
                value={window[key]}
                placeholder="HH:MM"
                aria-invalid={errors[at(key)] ? 'true' : undefined}
                onInput={(event) => setWindow(index, { [key]: event.currentTarget.value })}
              />
              {errors[at(key)] !== undefined && <small class="error">{errors[at(key)]}</small>}
            </label>
          );
          return (
            <li key={index} aria-label={`Window ${index + 1}`}>
              <fieldset>
                <legend>Days</legend>
                <div class="row">
                  {DAYS.map((day) => (
                    <label class="checkbox" key={day}>
                      <input
                        type="checkbox"
                        checked={window.days.includes(day)}
                        onChange={(event) =>
                          setWindow(index, {
                            days: event.currentTarget.checked
                              ? [...window.days, day]
                              : window.days.filter((d) => d !== day),
                          })
                        }
                      />
                      <span>{day}</span>
                    </label>
                  ))}
                </div>
                {errors[at('days')] !== undefined && (
                  <small class="error">{errors[at('days')]}</small>
                )}
              </fieldset>
              <div class="row">
                {timeInput('Start', 'start')}
                {timeInput('End', 'end')}
                <button
                  type="button"
                  onClick={() => set({ windows: draft.windows.filter((_, i) => i !== index) })}
                >
                  Remove window
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <div class="row">
        <button
          type="button"
          onClick={() =>
            set({
              windows: [...draft.windows, { days: [...DAYS], start: '09:00', end: '17:00' }],
            })
          }
        >
          Add window
        </button>
      </div>
      {failure !== undefined && <Alert>{failure}</Alert>}
      <div class="row">
        <button type="submit" class="primary">
          Save playlist
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        {draft.id !== undefined && !confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
      </div>
      {draft.id !== undefined && confirming && (
        <div role="group" aria-label={`Delete ${props.initial.name}?`}>
          {draft.snNumbers.length > 0 && (
            <Alert>
              Shown on {draft.snNumbers.join(', ')}: deleting it removes it from their screens.
            </Alert>
          )}
          <div class="row">
            <button type="button" class="danger" onClick={() => void remove(draft.id ?? 0)}>
              Delete {props.initial.name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        </div>
      )}
    </form>
  );
}

/**
 * The playlist's canvas at its aspect ratio with each item's zone drawn where it plays (x, y,
 * width, height as shares of the canvas; z as stacking order), so overlaps are seen before saving.
 */
function ZoneCanvas(props: {
  readonly draft: Draft;
  readonly names: MediaList['results'];
}): JSX.Element | null {
  const width = num(props.draft.width);
  const height = num(props.draft.height);
  if (!(width > 0 && height > 0)) return null;
  const share = (value: string, of: number) => {
    const n = num(value);
    return Number.isFinite(n) ? `${(n / of) * 100}%` : '0%';
  };
  return (
    <figure class="canvas-figure">
      <div
        class="canvas"
        style={{ aspectRatio: `${width} / ${height}` }}
        data-testid="zone-canvas"
        aria-hidden="true"
      >
        {props.draft.items.map((item, index) => (
          <div
            key={`${index}-${item.media_id}`}
            class="zone"
            style={{
              left: share(item.x, width),
              top: share(item.y, height),
              width: share(item.width, width),
              height: share(item.height, height),
              zIndex: Number.isFinite(num(item.z_index)) ? num(item.z_index) : 0,
            }}
          >
            {index + 1}. {props.names.find((m) => m.media_id === item.media_id)?.media_name}
          </div>
        ))}
      </div>
      <figcaption>
        Canvas {width}×{height}: each numbered box is an item's zone.
      </figcaption>
    </figure>
  );
}
