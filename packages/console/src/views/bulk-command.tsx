/**
 * One command to the chosen devices or to every registered one (`POST commands/`): the actions
 * that need no parameter, as the fleet uses them at once (reload, screenshots, play/pause). The
 * answer says how many got it and which were skipped because their queue was full.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { check } from '../forms';
import { Alert } from '../ui';

const BULK_ACTIONS = [
  ['reload_playlist', 'Reload playlist'],
  ['take_screenshot', 'Take screenshot'],
  ['play', 'Play'],
  ['pause', 'Pause'],
  ['hide_text_overlay', 'Hide text'],
] as const;

export function BulkCommand(props: {
  readonly chosen: readonly string[];
  readonly onSent: () => Promise<void>;
}): JSX.Element {
  const [action, setAction] = useState<string>(BULK_ACTIONS[0][0]);
  const [result, setResult] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);

  const send = async (to: readonly string[] | 'all') => {
    const parsed = check(protocol.signage.ServerAction, { action });
    if (!parsed.ok) return setFailure(Object.values(parsed.errors)[0]);
    setFailure(undefined);
    try {
      const sent = await signage.broadcastCommand(to, parsed.value);
      setResult(
        `Sent to ${sent.commands.length} device${sent.commands.length === 1 ? '' : 's'}` +
          (sent.skipped.length === 0
            ? '.'
            : `; skipped (queue full): ${sent.skipped.map((s) => s.sn_number).join(', ')}.`),
      );
      await props.onSent();
    } catch (error) {
      setFailure(describeError(error));
    }
  };

  return (
    <form
      noValidate
      class="row panel"
      aria-label="Bulk command"
      onSubmit={(event) => {
        event.preventDefault();
        void send(props.chosen);
      }}
    >
      <label class="field">
        <span>Bulk command</span>
        <select value={action} onChange={(event) => setAction(event.currentTarget.value)}>
          {BULK_ACTIONS.map(([name, label]) => (
            <option key={name} value={name}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary" disabled={props.chosen.length === 0}>
        Send to {props.chosen.length} chosen
      </button>
      <button type="button" onClick={() => void send('all')}>
        Send to all
      </button>
      {result !== undefined && <p role="status">{result}</p>}
      {failure !== undefined && <Alert>{failure}</Alert>}
    </form>
  );
}
