/**
 * The sign-in form the read-only pages share (GPU host, monitoring, media stack), built here and
 * put first in the page's `<main>` (hidden), so the pages do not each carry its markup: shown when
 * the page's first call answers 401 (no display token in the fragment and no session cookie), it
 * posts the user and password to `/api/v1/auth/session/`, which sets the session cookie, hides
 * itself and starts the page again. A refusal says so on the form; a network failure goes to the
 * page's own message line.
 */
import { $ } from './page';

export interface SignInForm {
  /** Shows the form (the page's first call was refused). */
  show(): void;
}

/** `<label>Text <input …></label>` */
function field(text: string, attributes: Record<string, string>): HTMLLabelElement {
  const label = document.createElement('label');
  const input = document.createElement('input');
  for (const [name, value] of Object.entries(attributes)) input.setAttribute(name, value);
  input.required = true;
  label.append(`${text} `, input);
  return label;
}

/** `#signin`: user, password, a submit button and a line for the refusal. */
function buildForm(): HTMLFormElement {
  const form = document.createElement('form');
  form.id = 'signin';
  form.className = 'card signin';
  form.hidden = true;
  const title = document.createElement('h2');
  title.textContent = 'Sign in';
  const submit = document.createElement('button');
  submit.type = 'submit';
  submit.textContent = 'Sign in';
  const error = document.createElement('p');
  error.className = 'error';
  error.setAttribute('role', 'alert');
  form.append(
    title,
    field('User', { name: 'username', autocomplete: 'username' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password' }),
    submit,
    error,
  );
  $<HTMLElement>('main').prepend(form);
  return form;
}

/**
 * Adds the form and wires it: on submit it signs in and then calls `start`; `fail` gets errors
 * that are not a refusal (the server unreachable).
 */
export function signInForm(start: () => Promise<void>, fail: (error: unknown) => void): SignInForm {
  const form = buildForm();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    void fetch('/api/v1/auth/session/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: fields.get('username'), password: fields.get('password') }),
    }).then(async (res) => {
      if (!res.ok) {
        $<HTMLElement>('.error', form).textContent = 'Wrong user or password';
        return;
      }
      form.hidden = true;
      await start();
    }, fail);
  });
  return {
    show() {
      form.hidden = false;
    },
  };
}
