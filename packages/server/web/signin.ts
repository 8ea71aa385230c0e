/**
 * The sign-in form the read-only pages share (GPU host, monitoring, media stack): shown when the
 * page's first call answers 401 (no display token in the fragment and no session cookie), it
 * posts the user and password to `/api/v1/auth/session/`, which sets the session cookie, hides
 * itself and starts the page again. A refusal says so on the form; a network failure goes to the
 * page's own message line.
 */
import { $ } from './page';

export interface SignInForm {
  /** Shows the form (the page's first call was refused). */
  show(): void;
}

/**
 * Wires `#signin`: on submit it signs in and then calls `start`; `fail` gets errors that are not
 * a refusal (the server unreachable).
 */
export function signInForm(start: () => Promise<void>, fail: (error: unknown) => void): SignInForm {
  const form = $<HTMLFormElement>('#signin');
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
