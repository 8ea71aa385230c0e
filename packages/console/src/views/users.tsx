/**
 * Users and display tokens (admins only): create a user with a role (a generated password is
 * shown once), change a user's role, disable or enable one, delete one (the server refuses to
 * demote, disable or delete the last admin, and that refusal is shown beside the user); create a
 * read-only display token for the kiosk pages (its secret shown once) and revoke one.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { protocol, type DisplayToken, type User, type UserList } from '@marquee/sdk';
import { accounts, describeError } from '../api';
import { check, field, type Checked, type FieldErrors } from '../forms';
import { useLive } from '../live';
import { Alert, Badge, Field, when } from '../ui';

const ROLES = ['viewer', 'operator', 'admin', 'device'] as const;
const SCOPES = ['now-playing', 'media-stack', 'monitoring', 'gpu', '*'] as const;

export default function Users(): JSX.Element {
  const users = useLive<UserList>(() => accounts.listUsers());
  const tokens = useLive<readonly DisplayToken[]>(() => accounts.listDisplayTokens());
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users & tokens</h1>
      <CreateForm
        label="Create a user"
        title="New user"
        class="panel stack"
        submit="Create user"
        resultId="user-created"
        parse={(form) => {
          const password = field(form, 'password');
          return check(protocol.core.CreateUser, {
            username: field(form, 'username').trim(),
            role: field(form, 'role'),
            ...(password === '' ? {} : { password }),
          });
        }}
        create={async (input) => {
          const user = await accounts.createUser(input);
          const created = `Created ${user.username} (${user.role}).`;
          return user.password === undefined
            ? created
            : `${created} Password, shown once: ${user.password}`;
        }}
        onCreated={users.reload}
      >
        {(errors) => (
          <div class="row">
            <Field
              label="User name"
              name="username"
              errors={errors}
              input={{ autoComplete: 'off' }}
            />
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
            <Field
              label="Password (empty: generate one)"
              name="password"
              errors={errors}
              input={{ type: 'password', autoComplete: 'new-password' }}
            />
          </div>
        )}
      </CreateForm>
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
              <UserRow key={user.id} user={user} onChanged={users.reload} />
            ))}
          </tbody>
        </table>
      </div>
      <h2>Display tokens</h2>
      <p>Read-only tokens for the kiosk pages (Now Playing, GPU, dashboards).</p>
      <CreateForm
        label="Create a display token"
        class="stack"
        submit="Create token"
        resultId="token-created"
        parse={(form) =>
          check(protocol.core.CreateDisplayToken, {
            name: field(form, 'name'),
            scopes: SCOPES.filter((scope) => {
              const box = form.elements.namedItem(`scope-${scope}`);
              return box instanceof HTMLInputElement && box.checked;
            }),
          })
        }
        create={async (input) => (await accounts.createDisplayToken(input)).token}
        secret
        onCreated={tokens.reload}
      >
        {(errors) => (
          <>
            <Field label="Token name" name="name" errors={errors} />
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
          </>
        )}
      </CreateForm>
      {tokens.error !== undefined && <Alert>{tokens.error}</Alert>}
      <ul class="plain" data-testid="tokens">
        {(tokens.data ?? []).map((token) => (
          <li key={token.id} data-token={token.name}>
            <strong>{token.name}</strong> <small>{token.scopes.join(', ')}</small>{' '}
            {token.revoked_at === null ? (
              <>
                <Badge tone="ok">active</Badge> <small>last used {when(token.last_used_at)}</small>{' '}
                <Action
                  label="Revoke"
                  name={`Revoke ${token.name}`}
                  run={() => accounts.revokeDisplayToken(token.id)}
                  onDone={tokens.reload}
                />
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

function UserRow(props: { readonly user: User; readonly onChanged: () => Promise<void> }) {
  const { user } = props;
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const changeRole = async (role: string) => {
    const parsed = check(protocol.core.UpdateUser, { role });
    if (!parsed.ok) return setFailure(Object.values(parsed.errors)[0]);
    setFailure(undefined);
    try {
      await accounts.updateUser(user.id, parsed.value);
    } catch (error) {
      setFailure(describeError(error));
    }
    // The select shows the role the server has, refused or not.
    await props.onChanged();
  };
  return (
    <tr data-user={user.username}>
      <th scope="row">{user.username}</th>
      <td>
        <select
          aria-label={`Role of ${user.username}`}
          value={user.role}
          onChange={(event) => void changeRole(event.currentTarget.value)}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
        {failure !== undefined && <small class="error"> {failure}</small>}
      </td>
      <td>
        {user.disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="ok">active</Badge>}
      </td>
      <td>{when(user.created_at)}</td>
      <td class="row">
        <Action
          label={user.disabled ? 'Enable' : 'Disable'}
          name={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
          run={() => accounts.updateUser(user.id, { disabled: !user.disabled })}
          onDone={props.onChanged}
        />
        <Action
          label="Delete"
          name={`Delete ${user.username}`}
          danger
          confirm={`Delete the user ${user.username}? Their sessions and tokens stop working.`}
          run={() => accounts.deleteUser(user.id)}
          onDone={props.onChanged}
        />
      </td>
    </tr>
  );
}

/**
 * A creation form: parses the submitted fields with the SDK's schema (errors beside the fields),
 * calls `create`, shows what it answers (a secret in `<code>`), empties itself and tells the list.
 */
function CreateForm<T>(props: {
  readonly label: string;
  readonly title?: string;
  readonly class: string;
  readonly submit: string;
  readonly resultId: string;
  readonly parse: (form: HTMLFormElement) => Checked<T>;
  /** Resolves with the sentence (or, with `secret`, the secret) to show once. */
  readonly create: (input: T) => Promise<string>;
  readonly secret?: boolean;
  readonly onCreated: () => Promise<void>;
  readonly children: (errors: FieldErrors) => ComponentChildren;
}): JSX.Element {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const parsed = props.parse(form);
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    setFailure(undefined);
    try {
      setResult(await props.create(parsed.value));
      form.reset();
      await props.onCreated();
    } catch (error) {
      setFailure(describeError(error));
    }
  };
  return (
    <form
      noValidate
      class={props.class}
      onSubmit={(event) => void submit(event)}
      aria-label={props.label}
    >
      {props.title !== undefined && <h2>{props.title}</h2>}
      {props.children(errors)}
      {failure !== undefined && <Alert>{failure}</Alert>}
      {result !== undefined &&
        (props.secret === true ? (
          <p role="status">
            The token, shown once: <code data-testid="token-secret">{result}</code>
          </p>
        ) : (
          <p role="status" data-testid={props.resultId}>
            {result}
          </p>
        ))}
      <button type="submit" class="primary">
        {props.submit}
      </button>
    </form>
  );
}

/** A button that runs one call, then `onDone`; a refusal is shown beside it. */
function Action(props: {
  readonly label: string;
  /** The accessible name (which user or token). */
  readonly name: string;
  readonly run: () => Promise<unknown>;
  readonly onDone: () => Promise<void>;
  /** Asked first; Cancel runs nothing. */
  readonly confirm?: string;
  readonly danger?: boolean;
}): JSX.Element {
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const click = () => {
    if (props.confirm !== undefined && !window.confirm(props.confirm)) return;
    setFailure(undefined);
    void props.run().then(
      () => props.onDone(),
      (error: unknown) => setFailure(describeError(error)),
    );
  };
  return (
    <span>
      <button
        type="button"
        class={props.danger === true ? 'danger' : undefined}
        aria-label={props.name}
        onClick={click}
      >
        {props.label}
      </button>
      {failure !== undefined && (
        <small class="error" role="alert">
          {' '}
          {failure}
        </small>
      )}
    </span>
  );
}
