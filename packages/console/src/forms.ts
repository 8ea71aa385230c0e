/**
 * Forms validated with the SDK's own zod schemas (the server parses the same ones): a failed parse
 * becomes one message per field, shown beside that field and linked to it with
 * `aria-describedby`.
 */
import { safeParse, type $ZodType, type output } from 'zod/v4/core';

export type FieldErrors = Readonly<Record<string, string>>;

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Parses `input` with `schema`; errors keyed by the dotted path of the field. */
export function check<S extends $ZodType>(schema: S, input: unknown): Checked<output<S>> {
  const result = safeParse(schema, input);
  if (result.success) return { ok: true, value: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Reads a text input of a submitted form. */
export function field(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement ||
    element instanceof HTMLSelectElement ||
    element instanceof HTMLTextAreaElement
    ? element.value
    : '';
}
