/**
 * Message kinds: the seeds discriminate their messages by `type` (most surfaces) or `action`
 * (signage control); `event` covers event-named envelopes. The socket emits each valid message a
 * second time under its kind so a handler can subscribe to one kind with a narrowed type.
 */

/** Fields that name a message's kind, in the order they are looked up. */
export type KindField = 'type' | 'action' | 'event';

const KIND_FIELDS: readonly KindField[] = ['type', 'action', 'event'];

/** The kind of a message: its `type`, else its `action`, else its `event` (string literals). */
export type MessageKind<M> = M extends { readonly type: infer K extends string }
  ? K
  : M extends { readonly action: infer K extends string }
    ? K
    : M extends { readonly event: infer K extends string }
      ? K
      : never;

/** The members of the union `M` whose kind is `K`. */
export type MessageOfKind<M, K extends string> = M extends unknown
  ? [K] extends [MessageKind<M>]
    ? M
    : never
  : never;

/** The runtime twin of {@link MessageKind}: the first string among `type`, `action`, `event`. */
export function messageKind(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  for (const field of KIND_FIELDS) {
    const value: unknown = Reflect.get(message, field);
    if (typeof value === 'string') return value;
  }
  return undefined;
}
