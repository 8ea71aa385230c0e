/**
 * One incoming frame to one validated message: text or UTF-8 binary, then JSON, then the
 * channel's schema. Anything that fails becomes an `invalid-message` report; it never throws,
 * because one bad message must not take the connection down.
 */
import { safeParse, type $ZodType } from 'zod/v4/core';
import type { InvalidMessage } from './socket-types';

export type Decoded<In> =
  | { readonly ok: true; readonly message: In }
  | { readonly ok: false; readonly invalid: InvalidMessage };

export function decodeFrame<In>(data: unknown, schema: $ZodType<In>): Decoded<In> {
  const text = frameText(data);
  if (text === undefined) {
    return invalid(data, new TypeError('Unsupported frame type'));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return invalid(text, error instanceof Error ? error : new SyntaxError(String(error)));
  }
  const result = safeParse(schema, json);
  if (!result.success) return invalid(text, result.error, result.error.issues);
  return { ok: true, message: result.data };
}

/**
 * A frame's payload as text: strings pass through, binary frames (ArrayBuffer, Buffer, typed
 * arrays) are decoded as UTF-8. Undefined for anything else (a Blob, when binaryType was not
 * honoured).
 */
export function frameText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return decoder.decode(data);
  return undefined;
}

const decoder = new TextDecoder();

function invalid(
  raw: unknown,
  error: Error,
  issues: InvalidMessage['issues'] = [],
): { readonly ok: false; readonly invalid: InvalidMessage } {
  return { ok: false, invalid: { raw, error, issues } };
}
