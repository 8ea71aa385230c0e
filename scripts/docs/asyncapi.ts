/**
 * The AsyncAPI 3.0 document: one channel per WebSocket path, described from the server's side.
 * `send` operations carry what the server sends (server → client), `receive` operations what it
 * accepts (client → server). Each member of a discriminated union is its own message. Payloads
 * use AsyncAPI's default schema format (a JSON Schema draft-07 superset), so they are rendered
 * for draft-07.
 */
import { z } from 'zod';
import type { ChannelDef, SurfaceDef } from '../../packages/sdk/src/protocol/common';
import { SchemaCollector } from './convert';
import type { JsonObject } from './json';
import { channelMessages, surfaceTag, type ChannelMessage } from './messages';
import type { DocInfo } from './openapi';
import { asyncApiSecurity, asyncApiSecuritySchemes } from './security';

export function buildAsyncApi(surfaces: readonly SurfaceDef[], info: DocInfo): JsonObject {
  const schemas = new SchemaCollector('draft-07', '#/components/schemas/');
  const channels: Record<string, JsonObject> = {};
  const operations: Record<string, JsonObject> = {};
  const messages = new Map<
    string,
    { readonly source: ChannelMessage; readonly json: JsonObject }
  >();

  for (const surface of surfaces) {
    const tags = [{ name: surface.name }];
    for (const channel of surface.channels) {
      if (channels[channel.id] !== undefined) throw new Error(`Duplicate channel id ${channel.id}`);
      const list = channelMessages(channel);
      const refs: JsonObject = {};
      for (const message of list) {
        const known = messages.get(message.name);
        if (known !== undefined && known.source.schema !== message.schema) {
          throw new Error(`Two different messages are named ${message.name}`);
        }
        if (known === undefined) {
          messages.set(message.name, { source: message, json: messageObject(message, schemas) });
        }
        refs[message.name] = { $ref: `#/components/messages/${pointer(message.name)}` };
      }
      channels[channel.id] = channelObject(channel, refs, tags, schemas);
      for (const direction of ['server', 'client'] as const) {
        const sent = list.filter((message) => message.direction === direction);
        if (sent.length === 0) continue;
        const op: JsonObject = {
          action: direction === 'server' ? 'send' : 'receive',
          channel: { $ref: `#/channels/${pointer(channel.id)}` },
          summary: direction === 'server' ? 'Server → client messages' : 'Client → server messages',
          messages: sent.map((message) => ({
            $ref: `#/channels/${pointer(channel.id)}/messages/${pointer(message.name)}`,
          })),
          tags,
        };
        const security = asyncApiSecurity(channel.auth);
        if (security.length > 0) op.security = security;
        operations[`${channel.id}.${op.action === 'send' ? 'send' : 'receive'}`] = op;
      }
    }
  }

  const sortedMessages = [...messages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Marquee WebSocket protocol',
      version: info.version,
      description:
        "Every WebSocket channel of the Marquee server, generated from the zod schemas in packages/sdk/src/protocol and described from the server side: `send` operations are messages the server sends, `receive` operations messages it accepts. Query parameters are in each channel's `ws` binding; `x-marquee-auth` names the auth policy.",
      tags: surfaces.map(surfaceTag),
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      schemas: schemas.components(),
      messages: Object.fromEntries(sortedMessages.map(([name, { json }]) => [name, json])),
      securitySchemes: asyncApiSecuritySchemes(),
    },
  };
}

function channelObject(
  channel: ChannelDef,
  messages: JsonObject,
  tags: JsonObject[],
  schemas: SchemaCollector,
): JsonObject {
  const ws: JsonObject = { method: 'GET' };
  if (channel.query) ws.query = schemas.add(channel.query, 'input', `${channel.id} query`);
  ws.bindingVersion = '0.1.0';
  const json: JsonObject = {
    address: channel.path,
    summary: channel.summary,
    messages,
    tags,
    bindings: { ws },
    'x-marquee-auth': channel.auth,
  };
  if (channel.extension) json['x-marquee-extension'] = true;
  return json;
}

function messageObject(message: ChannelMessage, schemas: SchemaCollector): JsonObject {
  const json: JsonObject = {
    name: message.name,
    title: message.name,
  };
  const description = z.globalRegistry.get(message.schema)?.description;
  if (description !== undefined) json.summary = description;
  json.contentType = 'application/json';
  json.payload = schemas.add(message.schema, message.io, `message ${message.name}`);
  if (message.discriminators.length > 0) {
    json['x-marquee-discriminator'] = Object.fromEntries(
      message.discriminators.map(({ key, values }) => [key, [...values]]),
    );
  }
  return json;
}

/** Escapes one JSON Pointer segment (RFC 6901). */
function pointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
