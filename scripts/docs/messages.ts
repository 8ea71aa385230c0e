/**
 * What the documents list for each surface: the messages of every channel (a discriminated union
 * is split into one message per member) and every schema a route or channel uses, each with the
 * side (`input`/`output`) it is documented from and a name for schemas without an id.
 */
import { z } from 'zod';
import type { ChannelDef, SurfaceDef } from '../../packages/sdk/src/protocol/common';
import { schemaId, type Io } from './convert';

type Schema = z.core.$ZodType;

export type Direction = 'server' | 'client';

/** A discriminator property and the value(s) a message has for it. */
export interface Discriminator {
  readonly key: string;
  readonly values: readonly string[];
}

export interface ChannelMessage {
  readonly direction: Direction;
  /** The schema's id, else `<channel id>.<server|client>[.<discriminator values>]`. */
  readonly name: string;
  readonly schema: Schema;
  readonly io: Io;
  /** The discriminators that select this message, outermost first (empty if none). */
  readonly discriminators: readonly Discriminator[];
}

/**
 * Server messages first, then client messages, each in declaration order. A union is split into
 * one message per member, recursively, when every member is an object or such a union: a
 * discriminated union, or a plain union of message shapes (signage mixes `action` and `type`).
 */
export function channelMessages(channel: ChannelDef): ChannelMessage[] {
  const messages = split(channel.serverMessages, 'server', `${channel.id}.server`, []);
  if (channel.clientMessages !== undefined) {
    messages.push(...split(channel.clientMessages, 'client', `${channel.id}.client`, []));
  }
  return messages;
}

function split(
  schema: Schema,
  direction: Direction,
  fallback: string,
  discriminators: readonly Discriminator[],
): ChannelMessage[] {
  const io: Io = direction === 'server' ? 'output' : 'input';
  if (!(schema instanceof z.core.$ZodUnion) || !schema._zod.def.options.every(isMessageShape)) {
    return [{ direction, io, schema, name: schemaId(schema) ?? fallback, discriminators }];
  }
  const key =
    schema instanceof z.core.$ZodDiscriminatedUnion ? schema._zod.def.discriminator : undefined;
  return schema._zod.def.options.flatMap((option, index) => {
    const values =
      key === undefined ? [] : [...(option._zod.propValues?.[key] ?? [])].map(String).sort();
    const own = key === undefined ? [] : [{ key, values }];
    const suffix = values.length > 0 ? values.join('|') : String(index);
    return split(option, direction, `${fallback}.${suffix}`, [...discriminators, ...own]);
  });
}

function isMessageShape(schema: Schema): boolean {
  return (
    schema instanceof z.core.$ZodObject ||
    (schema instanceof z.core.$ZodUnion && schema._zod.def.options.every(isMessageShape))
  );
}

/** A schema as one route or channel uses it. */
export interface SchemaUse {
  readonly schema: Schema;
  readonly io: Io;
  /** The file name when the schema has no id. */
  readonly fallback: string;
}

/** Every schema a surface documents, in a stable order: routes, channels, then the error body. */
export function surfaceSchemas(surface: SurfaceDef): SchemaUse[] {
  const uses: SchemaUse[] = [];
  for (const route of surface.routes) {
    if (route.params)
      uses.push({ schema: route.params, io: 'input', fallback: `${route.id}.params` });
    if (route.query) uses.push({ schema: route.query, io: 'input', fallback: `${route.id}.query` });
    if (route.body) uses.push({ schema: route.body, io: 'input', fallback: `${route.id}.body` });
    for (const [status, def] of Object.entries(route.responses)) {
      if (def.schema)
        uses.push({ schema: def.schema, io: 'output', fallback: `${route.id}.${status}` });
    }
  }
  for (const channel of surface.channels) {
    if (channel.query) {
      uses.push({ schema: channel.query, io: 'input', fallback: `${channel.id}.query` });
    }
    uses.push({ schema: channel.serverMessages, io: 'output', fallback: `${channel.id}.server` });
    if (channel.clientMessages) {
      uses.push({ schema: channel.clientMessages, io: 'input', fallback: `${channel.id}.client` });
    }
    for (const message of channelMessages(channel)) {
      uses.push({ schema: message.schema, io: message.io, fallback: message.name });
    }
  }
  uses.push({ schema: surface.errorShape.schema, io: 'output', fallback: `${surface.name}.error` });
  return uses;
}

/** The tag (OpenAPI and AsyncAPI) of a surface. */
export function surfaceTag(surface: SurfaceDef): { name: string; description: string } {
  return {
    name: surface.name,
    description: `${surface.title}: ${surface.description} (${contract(surface)})`,
  };
}

/** Which document a surface implements: its seed, or none for Marquee's own routes. */
export function contract(surface: SurfaceDef): string {
  return surface.seed === '' ? "Marquee's own, no seed" : `contract: seed ${surface.seed}`;
}
