/** Sign-in with a user name and password; the server answers with the HttpOnly session cookie. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type SessionInfo } from '@marquee/sdk';
import { accounts, describeError } from './api';
import { check, field, type FieldErrors } from './forms';
import { Alert, Field } from './ui';

export function SignIn(props: {
  readonly notice: string | undefined;
  readonly onSignedIn: (info: SessionInfo) => void;
}): JSX.Element {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const parsed = check(protocol.signage.LoginBody, {
      username: field(form, 'username'),
      password: field(form, 'password'),
    });
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setBusy(true);
    try {
      const info = await accounts.signIn(parsed.value);
      if (info.kind !== 'user') throw new Error('Only user accounts can use the console.');
      props.onSignedIn(info);
    } catch (error) {
      setFailure(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Marquee console</h1>
        {props.notice !== undefined && <p role="status">{props.notice}</p>}
        <Field
          label="User name"
          name="username"
          errors={errors}
          input={{ autoComplete: 'username', required: true }}
        />
        <Field
          label="Password"
          name="password"
          errors={errors}
          input={{ type: 'password', autoComplete: 'current-password', required: true }}
        />
        {failure !== undefined && <Alert>{failure}</Alert>}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
