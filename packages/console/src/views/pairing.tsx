/**
 * Pairing: the codes TVs show while they wait, read again as they appear; approving one with a
 * serial and a name creates the TV's device account, which the TV collects on its next poll.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type PendingPairingList } from '@marquee/sdk';
import { describeError, signage } from '../api';
import { check, field, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { Alert, when } from '../ui';

type Pending = PendingPairingList['results'][number];

export default function Pairing(): JSX.Element {
  const pending = useLive<PendingPairingList>(() => signage.listPairings(), {
    stale: (event) => event.type === 'pairing',
  });
  const [approved, setApproved] = useState<string | undefined>(undefined);
  return (
    <section aria-labelledby="pairing-title">
      <h1 id="pairing-title">Pairing</h1>
      <p>
        A TV without an account shows a code on screen. Check it against the list, then give the TV
        its serial number and a name.
      </p>
      {approved !== undefined && <p role="status">{approved}</p>}
      {pending.error !== undefined && <Alert>{pending.error}</Alert>}
      {pending.data === undefined ? (
        <p>Loading codes…</p>
      ) : pending.data.results.length === 0 ? (
        <p>No TV is waiting for approval.</p>
      ) : (
        <ul class="cards" data-testid="pairings">
          {pending.data.results.map((item) => (
            <PairingCard
              key={item.code}
              item={item}
              onDone={async (message) => {
                setApproved(message);
                await pending.reload();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function PairingCard(props: {
  readonly item: Pending;
  readonly onDone: (message: string) => Promise<void>;
}): JSX.Element {
  const { item } = props;
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const id = `pair-${item.code}`;

  const approve = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const parsed = check(protocol.signage.ApprovePairing, {
      sn_number: field(form, 'sn_number').trim(),
      name: field(form, 'name'),
    });
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    try {
      const done = await signage.approvePairing(item.code, parsed.value);
      await props.onDone(`Approved ${done.code}: ${done.name} (${done.sn_number}).`);
    } catch (error) {
      setFailure(describeError(error));
    }
  };

  const reject = async () => {
    try {
      await signage.rejectPairing(item.code);
      await props.onDone(`Rejected ${item.code}.`);
    } catch (error) {
      setFailure(describeError(error));
    }
  };

  return (
    <li class="card" data-code={item.code}>
      <form noValidate onSubmit={(event) => void approve(event)} aria-labelledby={`${id}-code`}>
        <p class="code" id={`${id}-code`}>
          {item.code}
        </p>
        <p>
          <small>
            From {item.ip}
            {item.hint !== null && `, “${item.hint}”`}; expires {when(item.expires_at)}
          </small>
        </p>
        <label class="field">
          <span>Serial number</span>
          <input
            name="sn_number"
            defaultValue={item.sn_number ?? ''}
            aria-invalid={errors.sn_number ? 'true' : undefined}
          />
          {errors.sn_number !== undefined && <small class="error">{errors.sn_number}</small>}
        </label>
        <label class="field">
          <span>Name</span>
          <input
            name="name"
            defaultValue={item.hint ?? ''}
            aria-invalid={errors.name ? 'true' : undefined}
          />
          {errors.name !== undefined && <small class="error">{errors.name}</small>}
        </label>
        {failure !== undefined && <Alert>{failure}</Alert>}
        <div class="row">
          <button type="submit" class="primary">
            Approve
          </button>
          <button type="button" onClick={() => void reject()}>
            Reject
          </button>
        </div>
      </form>
    </li>
  );
}
