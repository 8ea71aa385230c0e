/**
 * Commands to one device: every seed 002 action plus `take_screenshot`, with its parameters
 * checked by the SDK's `ServerAction` schema, and the device's latest commands with their state
 * (queued, sent, acked, failed, expired) read again as the fleet's push channel reports it.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type CommandList, type PlaylistList } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { check, field, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { Alert, Badge, when } from '../ui';

type ActionName = protocol.signage.ServerActionName;

const ACTIONS: readonly { readonly name: ActionName; readonly label: string }[] = [
  { name: 'play', label: 'Play' },
  { name: 'pause', label: 'Pause' },
  { name: 'next', label: 'Next item' },
  { name: 'previous', label: 'Previous item' },
  { name: 'reload_playlist', label: 'Reload playlist' },
  { name: 'switch_playlist', label: 'Switch playlist' },
  { name: 'play_media', label: 'Play item number' },
  { name: 'show_text_overlay', label: 'Show text' },
  { name: 'hide_text_overlay', label: 'Hide text' },
  { name: 'set_brightness', label: 'Set brightness' },
  { name: 'set_volume', label: 'Set volume' },
  { name: 'take_screenshot', label: 'Take screenshot' },
];

const STATE_TONE = {
  queued: 'idle',
  sent: 'warn',
  acked: 'ok',
  failed: 'bad',
  expired: 'bad',
} as const;

/** The action's message from the form's fields (the schema says what is wrong). */
function commandFrom(form: HTMLFormElement, action: ActionName): unknown {
  const number = (name: string) => {
    const text = field(form, name).trim();
    return text === '' ? Number.NaN : Number(text);
  };
  switch (action) {
    case 'switch_playlist':
      return { action, playlist_id: number('playlist_id') };
    case 'play_media':
      return { action, media_index: number('media_index') - 1 };
    case 'show_text_overlay':
      return {
        action,
        text_overlay: {
          text: field(form, 'text'),
          position: field(form, 'overlay_position'),
          animation: field(form, 'animation'),
        },
      };
    case 'set_brightness':
      return { action, brightness: number('level') };
    case 'set_volume':
      return { action, volume: number('level') };
    case 'play':
    case 'pause':
    case 'next':
    case 'previous':
    case 'reload_playlist':
    case 'hide_text_overlay':
    case 'take_screenshot':
      return { action };
  }
}

export function Commands(props: {
  readonly snNumber: string;
  readonly playlists: PlaylistList | undefined;
}): JSX.Element {
  const [action, setAction] = useState<ActionName>('play');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const commands = useLive<CommandList>(() => signage.listCommands(props.snNumber, { limit: 10 }), {
    stale: (event) =>
      (event.type === 'command' && event.sn_number === props.snNumber) ||
      event.type === 'commands_expired',
  });

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const parsed = check(protocol.signage.ServerAction, commandFrom(form, action));
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      await signage.sendCommand(props.snNumber, parsed.value);
      await commands.reload();
    } catch (error) {
      setFailure(describeError(error));
    }
  };

  const firstError = Object.values(errors)[0];
  return (
    <div class="commands">
      <h3>Commands</h3>
      <form
        noValidate
        class="stack"
        onSubmit={(event) => void submit(event)}
        aria-label="Send a command"
      >
        <label class="field">
          <span>Action</span>
          <select
            name="action"
            value={action}
            onChange={(event) => setAction(event.currentTarget.value as ActionName)}
          >
            {ACTIONS.map((a) => (
              <option key={a.name} value={a.name}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        {action === 'switch_playlist' && (
          <label class="field">
            <span>Playlist</span>
            <select name="playlist_id">
              {(props.playlists?.results ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {action === 'play_media' && (
          <label class="field">
            <span>Item number (1 is the first)</span>
            <input name="media_index" type="number" min={1} defaultValue="1" />
          </label>
        )}
        {action === 'show_text_overlay' && (
          <>
            <label class="field">
              <span>Text</span>
              <input name="text" maxLength={1000} />
            </label>
            <label class="field">
              <span>Position</span>
              <select name="overlay_position">
                <option value="bottom">bottom</option>
                <option value="top">top</option>
                <option value="left">left</option>
                <option value="right">right</option>
              </select>
            </label>
            <label class="field">
              <span>Animation</span>
              <select name="animation">
                <option value="scroll">scroll</option>
                <option value="static">static</option>
              </select>
            </label>
          </>
        )}
        {(action === 'set_brightness' || action === 'set_volume') && (
          <label class="field">
            <span>Level (0–100)</span>
            <input name="level" type="number" min={0} max={100} defaultValue="50" />
          </label>
        )}
        {firstError !== undefined && <Alert>{firstError}</Alert>}
        {failure !== undefined && <Alert>{failure}</Alert>}
        <button type="submit" class="primary">
          Send
        </button>
      </form>
      {commands.error !== undefined && <Alert>{commands.error}</Alert>}
      <ol class="plain" data-testid="commands" aria-live="polite">
        {(commands.data?.results ?? []).map((command) => (
          <li key={command.command_id} data-action={command.command.action}>
            <code>{command.command.action}</code>{' '}
            <Badge tone={STATE_TONE[command.state]}>{command.state}</Badge>{' '}
            <small>
              {when(command.created_at)}
              {command.error !== null && ` — ${command.error}`}
            </small>
          </li>
        ))}
      </ol>
    </div>
  );
}
