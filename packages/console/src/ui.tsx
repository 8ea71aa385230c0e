/** Small pieces every view uses: labelled fields with their error, status badges, dates, sizes. */
import type { ComponentChildren, InputHTMLAttributes, JSX } from 'preact';
import type { FieldErrors } from './forms';

type InputProps = InputHTMLAttributes<HTMLInputElement>;

export function Field(props: {
  readonly label: string;
  readonly name: string;
  readonly errors?: FieldErrors | undefined;
  /** The schema path of the field when it differs from `name`. */
  readonly path?: string;
  readonly input?: InputProps;
}): JSX.Element {
  const id = `f-${props.name}`;
  const error = props.errors?.[props.path ?? props.name];
  return (
    <label class="field" for={id}>
      <span>{props.label}</span>
      <input
        id={id}
        name={props.name}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={error === undefined ? undefined : `${id}-error`}
        {...props.input}
      />
      {error !== undefined && (
        <small id={`${id}-error`} class="error">
          {error}
        </small>
      )}
    </label>
  );
}

export function Badge(props: {
  readonly tone: 'ok' | 'warn' | 'bad' | 'idle';
  readonly children: ComponentChildren;
}): JSX.Element {
  return <span class={`badge badge-${props.tone}`}>{props.children}</span>;
}

/** How a playlist's status on a device reads: ready is fine, partial or downloading not yet. */
export const PLAYLIST_STATUS_TONE = {
  ready: 'ok',
  downloading: 'warn',
  partial: 'warn',
  failed: 'bad',
} as const;

export function Alert(props: { readonly children: ComponentChildren }): JSX.Element {
  return (
    <p class="alert" role="alert">
      {props.children}
    </p>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export function when(iso: string | null | undefined): string {
  return iso ? dateFormat.format(new Date(iso)) : '—';
}

export function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
