/**
 * Users and display tokens (admins only): create a user with a role (a generated password is
 * shown once), disable or enable one; create a read-only display token for the kiosk pages (its
 * secret shown once) and revoke one.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type DisplayToken, type UserList } from '@marquee/sdk';
import { accounts, describeError } from '../api';
import { check, field, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { Alert, Badge, when } from '../ui';

const ROLES = ['viewer', 'operator', 'admin', 'device'] as const;
const SCOPES = ['now-playing', 'media-stack', 'monitoring', 'gpu', '*'] as const;

export default function Users(): JSX.Element {
  const users = useLive<UserList>(() => accounts.listUsers(), 10_000);
  const tokens = useLive<readonly DisplayToken[]>(() => accounts.listDisplayTokens(), 10_000);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users & tokens</h1>
      <CreateUserForm onCreated={users.reload} />
      {users.error !== undefined && <Alert>{users.error}</Alert>}
      <div class="table-wrap">
        <table data-testid="users">
          <caption class="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.results ?? []).map((user) => (
              <tr key={user.id} data-user={user.username}>
                <th scope="row">{user.username}</th>
                <td>{user.role}</td>
                <td>
                  {user.disabled ? (
                    <Badge tone="bad">disabled</Badge>
                  ) : (
                    <Badge tone="ok">active</Badge>
                  )}
                </td>
                <td>{when(user.created_at)}</td>
                <td>
                  <ToggleUser id={user.id} disabled={user.disabled} onDone={users.reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Display tokens</h2>
      <p>Read-only tokens for the kiosk pages (Now Playing, GPU, dashboards).</p>
      <CreateTokenForm onCreated={tokens.reload} />
      {tokens.error !== undefined && <Alert>{tokens.error}</Alert>}
      <ul class="plain" data-testid="tokens">
        {(tokens.data ?? []).map((token) => (
          <li key={token.id} data-token={token.name}>
            <strong>{token.name}</strong> <small>{token.scopes.join(', ')}</small>{' '}
            {token.revoked_at === null ? (
              <>
                <Badge tone="ok">active</Badge> <small>last used {when(token.last_used_at)}</small>{' '}
                <RevokeToken id={token.id} name={token.name} onDone={tokens.reload} />
              </>
            ) : (
              <Badge tone="idle">revoked {when(token.revoked_at)}</Badge>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CreateUserForm(props: { readonly onCreated: () => Promise<void> }): JSX.Element {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const password = field(form, 'password');
    const parsed = check(protocol.core.CreateUser, {
      username: field(form, 'username').trim(),
      role: field(form, 'role'),
      ...(password === '' ? {} : { password }),
    });
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      const user = await accounts.createUser(parsed.value);
      setCreated(
        user.password === undefined
          ? `Created ${user.username} (${user.role}).`
          : `Created ${user.username} (${user.role}). Password, shown once: ${user.password}`,
      );
      form.reset();
      await props.onCreated();
    } catch (error) {
      setFailure(describeError(error));
    }
  };
  return (
    <form
      noValidate
      class="panel stack"
      onSubmit={(event) => void submit(event)}
      aria-label="Create a user"
    >
      <h2>New user</h2>
      <div class="row">
        <label class="field">
          <span>User name</span>
          <input
            name="username"
            autoComplete="off"
            aria-invalid={errors.username ? 'true' : undefined}
          />
          {errors.username !== undefined && <small class="error">{errors.username}</small>}
        </label>
        <label class="field">
          <span>Role</span>
          <select name="role">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Password (empty: generate one)</span>
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            aria-invalid={errors.password ? 'true' : undefined}
          />
          {errors.password !== undefined && <small class="error">{errors.password}</small>}
        </label>
      </div>
      {failure !== undefined && <Alert>{failure}</Alert>}
      {created !== undefined && (
        <p role="status" data-testid="user-created">
          {created}
        </p>
      )}
      <button type="submit" class="primary">
        Create user
      </button>
    </form>
  );
}

function ToggleUser(props: {
  readonly id: number;
  readonly disabled: boolean;
  readonly onDone: () => Promise<void>;
}): JSX.Element {
  const [failure, setFailure] = useState<string | undefined>(undefined);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          void accounts.updateUser(props.id, { disabled: !props.disabled }).then(
            () => props.onDone(),
            (error: unknown) => setFailure(describeError(error)),
          )
        }
      >
        {props.disabled ? 'Enable' : 'Disable'}
      </button>
      {failure !== undefined && <small class="error"> {failure}</small>}
    </>
  );
}

function CreateTokenForm(props: { readonly onCreated: () => Promise<void> }): JSX.Element {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const scopes = SCOPES.filter((scope) => {
      const box = form.elements.namedItem(`scope-${scope}`);
      return box instanceof HTMLInputElement && box.checked;
    });
    const parsed = check(protocol.core.CreateDisplayToken, { name: field(form, 'name'), scopes });
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      const token = await accounts.createDisplayToken(parsed.value);
      setSecret(token.token);
      form.reset();
      await props.onCreated();
    } catch (error) {
      setFailure(describeError(error));
    }
  };
  return (
    <form
      noValidate
      class="stack"
      onSubmit={(event) => void submit(event)}
      aria-label="Create a display token"
    >
      <label class="field">
        <span>Token name</span>
        <input name="name" aria-invalid={errors.name ? 'true' : undefined} />
        {errors.name !== undefined && <small class="error">{errors.name}</small>}
      </label>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope} class="checkbox">
            <input
              type="checkbox"
              name={`scope-${scope}`}
              defaultChecked={scope === 'now-playing'}
            />{' '}
            {scope === '*' ? 'every read-only surface' : scope}
          </label>
        ))}
        {errors.scopes !== undefined && <small class="error">{errors.scopes}</small>}
      </fieldset>
      {failure !== undefined && <Alert>{failure}</Alert>}
      {secret !== undefined && (
        <p role="status">
          The token, shown once: <code data-testid="token-secret">{secret}</code>
        </p>
      )}
      <button type="submit" class="primary">
        Create token
      </button>
    </form>
  );
}

function RevokeToken(props: {
  readonly id: string;
  readonly name: string;
  readonly onDone: () => Promise<void>;
}): JSX.Element {
  const [failure, setFailure] = useState<string | undefined>(undefined);
  return (
    <>
      <button
        type="button"
        aria-label={`Revoke ${props.name}`}
        onClick={() =>
          void accounts.revokeDisplayToken(props.id).then(
            () => props.onDone(),
            (error: unknown) => setFailure(describeError(error)),
          )
        }
      >
        Revoke
      </button>
      {failure !== undefined && <small class="error"> {failure}</small>}
    </>
  );
}
