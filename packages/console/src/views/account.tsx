/** One's own account: who is signed in, and a password change (other sessions end). */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol } from '@marquee/sdk';
import { accounts, describeError } from '../api';
import { check, field, type FieldErrors } from '../forms';
import { useSession } from '../session';
import { Alert, Field } from '../ui';

export default function Account(): JSX.Element {
  const { info } = useSession();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [done, setDone] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const parsed = check(protocol.core.ChangePassword, {
      current_password: field(form, 'current_password'),
      new_password: field(form, 'new_password'),
    });
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      await accounts.changePassword(parsed.value);
      setDone(true);
      form.reset();
    } catch (error) {
      setFailure(describeError(error));
    }
  };
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <p>
        Signed in as <strong>{info.username}</strong>, role <strong>{info.role}</strong>.
        {info.role === 'viewer' &&
          ' Viewers read the dashboards; the fleet, media and playlists need an operator.'}
      </p>
      <form class="panel stack" onSubmit={(event) => void submit(event)} noValidate>
        <h2>Change password</h2>
        <Field
          label="Current password"
          name="current_password"
          errors={errors}
          input={{ type: 'password', autoComplete: 'current-password' }}
        />
        <Field
          label="New password (8 characters or more)"
          name="new_password"
          errors={errors}
          input={{ type: 'password', autoComplete: 'new-password' }}
        />
        {failure !== undefined && <Alert>{failure}</Alert>}
        {done && <p role="status">Password changed. Your other sessions were signed out.</p>}
        <button type="submit" class="primary">
          Change password
        </button>
      </form>
    </section>
  );
}
