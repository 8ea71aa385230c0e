/**
 * The media library: upload several files (each one's state shown: waiting, uploading, stored or
 * refused with the server's reason), preview images and videos, MD5 and size, the playlists that
 * use each file, and delete (warned, and refused by the server, while a playlist uses it).
 *
 * Files go up one at a time (one upload in flight keeps the server's per-user limits and the
 * page's memory bounded), each with its percentage (the SDK sends it through XMLHttpRequest for
 * the progress events). A file the server refused or that did not get through can be sent again
 * with Retry; the page keeps the File of each row on screen for that. Dropped files go the same
 * way as picked ones. Only images and videos are offered; the server checks the bytes again.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { MarqueeError, type MediaList, type MediaRecord, type PlaylistList } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { useLive } from '../live';
import { Alert, Badge, bytes, when } from '../ui';

/** The most files one pick may queue. */
const MAX_BATCH = 50;
/** The most upload rows kept on screen (the newest). */
const MAX_ROWS = 200;

interface Upload {
  readonly key: number;
  readonly name: string;
  readonly size: number;
  /**
   * `refused`: not an image or video, or the server refused the bytes (no retry helps);
   * `failed`: the upload did not get through (network, server busy or full): Retry.
   */
  readonly state: 'waiting' | 'uploading' | 'stored' | 'refused' | 'failed';
  /** Whole percent of the request sent, while uploading. */
  readonly percent?: number;
  readonly message?: string;
}

const UPLOAD_TONE = {
  waiting: 'idle',
  uploading: 'warn',
  stored: 'ok',
  refused: 'bad',
  failed: 'bad',
} as const;

const isMedia = (file: File) => file.type.startsWith('image/') || file.type.startsWith('video/');

export default function Media(): JSX.Element {
  const library = useLive<MediaList>(() => signage.listMedia());
  const playlists = useLive<PlaylistList>(() => signage.listPlaylists());
  const [uploads, setUploads] = useState<readonly Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const nextKey = useRef(1);
  const queue = useRef<Promise<void>>(Promise.resolve());
  /** The file of each row that may be retried, dropped with its row. */
  const files = useRef(new Map<number, File>());

  const update = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const send = (key: number, file: File) => {
    update(key, { state: 'waiting', percent: 0 });
    queue.current = queue.current.then(async () => {
      update(key, { state: 'uploading', percent: 0 });
      try {
        const stored = await signage.uploadMedia(file, {
          onProgress: (sent, total) => {
            const size = total ?? file.size;
            update(key, { percent: size > 0 ? Math.min(100, Math.floor((sent / size) * 100)) : 0 });
          },
        });
        files.current.delete(key);
        update(key, { state: 'stored', percent: 100, message: `MD5 ${stored.checksum}` });
      } catch (error) {
        // The server's verdict on the bytes (not an image, too large) stands; anything else
        // (the network, a busy or full server) may go through on a retry.
        const verdict = error instanceof MarqueeError && [400, 413, 415].includes(error.status);
        if (verdict) files.current.delete(key);
        update(key, { state: verdict ? 'refused' : 'failed', message: describeError(error) });
      }
      await library.reload();
    });
  };

  const add = (picked: readonly File[]) => {
    const batch = picked.slice(0, MAX_BATCH).map((file) => ({ file, key: nextKey.current++ }));
    setUploads((list) => {
      const kept = [
        ...batch.map(({ file, key }): Upload => {
          return isMedia(file)
            ? { key, name: file.name, size: file.size, state: 'waiting' }
            : {
                key,
                name: file.name,
                size: file.size,
                state: 'refused',
                message: `Not an image or a video (${file.type || 'unknown type'})`,
              };
        }),
        ...list,
      ].slice(0, MAX_ROWS);
      for (const key of [...files.current.keys()]) {
        if (!kept.some((u) => u.key === key)) files.current.delete(key);
      }
      return kept;
    });
    for (const { file, key } of batch) {
      if (!isMedia(file)) continue;
      files.current.set(key, file);
      send(key, file);
    }
  };

  const retry = (key: number) => {
    const file = files.current.get(key);
    if (file !== undefined) send(key, file);
  };

  return (
    <section aria-labelledby="media-title">
      <h1 id="media-title">Media</h1>
      <div
        class={dragging ? 'drop dragging' : 'drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          add([...(event.dataTransfer?.files ?? [])]);
        }}
      >
        <label class="field">
          <span>Upload images or videos (or drop them here)</span>
          <input
            type="file"
            name="files"
            multiple
            accept="image/*,video/*"
            data-testid="upload"
            onChange={(event) => {
              add([...(event.currentTarget.files ?? [])]);
              event.currentTarget.value = '';
            }}
          />
        </label>
      </div>
      {uploads.length > 0 && (
        <ul class="plain uploads" data-testid="uploads" aria-live="polite">
          {uploads.map((u) => (
            <li key={u.key} data-state={u.state} data-name={u.name}>
              {u.name} <small>({bytes(u.size)})</small>{' '}
              <Badge tone={UPLOAD_TONE[u.state]}>{u.state}</Badge>
              {u.state === 'uploading' && u.percent !== undefined && (
                <>
                  {' '}
                  <progress max={100} value={u.percent} aria-label={`Uploading ${u.name}`} />{' '}
                  <span data-testid="percent">{u.percent} %</span>
                </>
              )}
              {u.message !== undefined && <small> {u.message}</small>}
              {u.state === 'failed' && files.current.has(u.key) && (
                <>
                  {' '}
                  <button type="button" aria-label={`Retry ${u.name}`} onClick={() => retry(u.key)}>
                    Retry
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {library.error !== undefined && <Alert>{library.error}</Alert>}
      {library.data === undefined ? (
        <p>Loading the library…</p>
      ) : library.data.results.length === 0 ? (
        <p>The library is empty.</p>
      ) : (
        <ul class="cards" data-testid="library">
          {library.data.results.map((media) => (
            <MediaCard
              key={media.media_id}
              media={media}
              playlists={playlists.data}
              onDeleted={library.reload}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function MediaCard(props: {
  readonly media: MediaRecord;
  readonly playlists: PlaylistList | undefined;
  readonly onDeleted: () => Promise<void>;
}): JSX.Element {
  const { media } = props;
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const usedBy = media.playlist_ids.map(
    (id) => props.playlists?.results.find((p) => p.id === id)?.name ?? `Playlist ${id}`,
  );
  const remove = async () => {
    try {
      await signage.deleteMedia(media.media_id);
      await props.onDeleted();
    } catch (error) {
      setFailure(describeError(error));
      setConfirming(false);
    }
  };
  return (
    <li class="card" data-media={media.media_name}>
      {media.media_type === 'image' ? (
        <img class="preview" src={media.media_url} alt={media.media_name} loading="lazy" />
      ) : (
        <video class="preview" src={media.media_url} controls muted preload="metadata" />
      )}
      <p>
        <strong>{media.media_name}</strong>
      </p>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{media.mimetype}</dd>
        <dt>Size</dt>
        <dd>{bytes(media.file_size)}</dd>
        <dt>MD5</dt>
        <dd>
          <code class="md5">{media.checksum}</code>
        </dd>
        <dt>Uploaded</dt>
        <dd>{when(media.created_at)}</dd>
        <dt>Used by</dt>
        <dd>{usedBy.length === 0 ? 'no playlist' : usedBy.join(', ')}</dd>
      </dl>
      {failure !== undefined && <Alert>{failure}</Alert>}
      {confirming ? (
        <div role="group" aria-label={`Delete ${media.media_name}?`}>
          {usedBy.length > 0 && (
            <Alert>
              In use by {usedBy.join(', ')}: the server refuses to delete it until those playlists
              no longer list it.
            </Alert>
          )}
          <div class="row">
            <button type="button" class="danger" onClick={() => void remove()}>
              Delete {media.media_name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      )}
    </li>
  );
}
