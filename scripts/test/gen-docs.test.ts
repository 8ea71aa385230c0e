import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute, defineSurface, response } from '../../packages/sdk/src/protocol/common';
import { surfaces as declared } from '../../packages/sdk/src/protocol/surfaces';
import { diffDocs, readDocs } from '../docs/disk';
import { DOCS_DIR, generateDocs, servedSurfaces } from '../docs/generate';
import { isJsonObject, toJsonObject, type JsonObject, type JsonValue } from '../docs/json';
import { channelMessages } from '../docs/messages';

const surfaces = servedSurfaces(declared);
const docs = generateDocs(declared);

function readJson(path: string): JsonObject {
  const text = docs.get(path);
  expect(text, `${path} is generated`).toBeTypeOf('string');
  return toJsonObject(JSON.parse(text ?? 'null'));
}

function child(value: JsonValue | undefined, key: string): JsonObject {
  const next = isJsonObject(value) ? value[key] : undefined;
  if (!isJsonObject(next)) throw new Error(`missing object at ${key}`);
  return next;
}

describe('OpenAPI document', () => {
  const openapi = readJson('openapi.json');
  const paths = child(openapi, 'paths');

  it('is OpenAPI 3.1 with a tag per surface', () => {
    expect(openapi.openapi).toBe('3.1.0');
    expect(openapi.tags).toEqual(
      surfaces.map((s) => expect.objectContaining({ name: s.name }) as unknown),
    );
  });

  it('has an operation for every route of every surface with every documented status', () => {
    const routes = surfaces.flatMap((surface) =>
      surface.routes.map((route) => ({ surface, route })),
    );
    expect(routes.length).toBeGreaterThan(0);
    for (const { surface, route } of routes) {
      const op = child(child(paths, route.path), route.method.toLowerCase());
      expect(op.operationId).toBe(route.id);
      expect(op.tags).toEqual([surface.name]);
      expect(Object.keys(child(op, 'responses'))).toEqual(Object.keys(route.responses));
      const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const params = Array.isArray(op.parameters) ? op.parameters.filter(isJsonObject) : [];
      expect(params.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathParams);
      if (route.query) {
        expect(params.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
          Object.keys(route.query.shape),
        );
      }
      if (route.body && route.bodyKind !== 'none') {
        const mediaTypes =
          route.bodyKind === 'multipart'
            ? ['multipart/form-data']
            : route.bodyKind === 'json-or-form'
              ? ['application/json', 'application/x-www-form-urlencoded']
              : ['application/json'];
        expect(Object.keys(child(child(op, 'requestBody'), 'content'))).toEqual(mediaTypes);
      }
      expect(op.security).toEqual(route.auth === 'none' ? [] : expect.any(Array));
    }
  });

  it('describes the GPU routes from the schemas', () => {
    const load = child(child(paths, '/api/models/ollama/load'), 'post');
    expect(child(child(child(load, 'requestBody'), 'content'), 'application/json')).toEqual({
      schema: { $ref: '#/components/schemas/GpuLoadModelRequest' },
    });
    expect(Object.keys(child(load, 'responses'))).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '502',
      '503',
      '504',
    ]);
  });
});

describe('AsyncAPI document', () => {
  const asyncapi = readJson('asyncapi.json');
  const channels = child(asyncapi, 'channels');
  const messages = child(child(asyncapi, 'components'), 'messages');

  it('has every channel with its address and every message split by direction', () => {
    expect(asyncapi.asyncapi).toBe('3.0.0');
    const all = surfaces.flatMap((surface) => surface.channels);
    expect(Object.keys(channels)).toEqual(all.map((c) => c.id));
    const operations = child(asyncapi, 'operations');
    for (const channel of all) {
      const entry = child(channels, channel.id);
      expect(entry.address).toBe(channel.path);
      const list = channelMessages(channel);
      expect(Object.keys(child(entry, 'messages'))).toEqual(list.map((m) => m.name));
      for (const message of list) expect(messages[message.name]).toBeDefined();
      const send = child(operations, `${channel.id}.send`);
      expect(send.action).toBe('send');
      expect(send.messages).toHaveLength(list.filter((m) => m.direction === 'server').length);
      if (channel.clientMessages) {
        expect(child(operations, `${channel.id}.receive`).action).toBe('receive');
      }
      if (channel.query) {
        expect(child(child(child(entry, 'bindings'), 'ws'), 'query').type).toBe('object');
      }
    }
  });

  it('makes each member of the GPU event union its own message', () => {
    expect(Object.keys(child(child(channels, 'gpu.ws'), 'messages'))).toEqual([
      'GpuVramUpdateEvent',
      'GpuModelDownloadProgressEvent',
    ]);
    expect(child(messages, 'GpuVramUpdateEvent')['x-marquee-discriminator']).toEqual({
      event: ['vram_update'],
    });
  });
});

describe('JSON Schema files', () => {
  const schemaPaths = [...docs.keys()].filter((path) => path.startsWith('schemas/'));

  it('writes one valid draft 2020-12 document per schema', () => {
    expect(schemaPaths.length).toBeGreaterThan(0);
    for (const path of schemaPaths) {
      expect(path).toMatch(/^schemas\/[a-z-]+\/[A-Za-z0-9._-]+\.json$/);
      expect(readJson(path).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('inlines the root schema and keeps nested ids under $defs', () => {
    const status = readJson('schemas/gpu/GpuVramStatus.json');
    expect(status.type).toBe('object');
    expect(Object.keys(child(status, '$defs'))).toEqual(
      expect.arrayContaining(['GpuSummary', 'GpuProcess', 'GpuDevice']),
    );
  });
});

describe('references', () => {
  /** Follows a local JSON Pointer (RFC 6901) through `doc`. */
  function resolve(doc: JsonValue, ref: string): JsonValue | undefined {
    let node: JsonValue | undefined = doc;
    for (const raw of ref.replace(/^#\//, '').split('/')) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      node = isJsonObject(node) ? node[key] : undefined;
    }
    return node;
  }

  it.each(['openapi.json', 'asyncapi.json'])('every $ref in %s resolves', (path) => {
    const doc = readJson(path);
    const refs = [...(docs.get(path) ?? '').matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      expect(resolve(doc, ref), ref).toBeDefined();
    }
  });
});

describe('generation', () => {
  it('is deterministic and formatted', () => {
    expect([...generateDocs(declared)]).toEqual([...docs]);
    for (const [path, content] of docs) {
      expect(content.endsWith('\n'), path).toBe(true);
      if (path.endsWith('.json')) {
        expect(content).toBe(`${JSON.stringify(JSON.parse(content), null, 2)}\n`);
      }
    }
    expect([...docs.keys()]).toEqual([...docs.keys()].sort());
  });

  it('describes requests as input and responses as output', () => {
    const Body = z.object({ page: z.number().default(1) }).meta({ id: 'TestIoBody' });
    const Query = z.object({ flag: z.enum(['0', '1']).transform((v) => v === '1') });
    const surface = defineSurface({
      name: 'gpu',
      title: 'Test',
      seed: '',
      description: 'Input and output renderings',
      errorShape: { schema: z.object({}), render: () => ({}), read: () => undefined },
      routes: [
        defineRoute({
          id: 'test.echo',
          method: 'POST',
          path: '/echo/{id}',
          summary: 'Echo',
          auth: 'admin',
          query: Query,
          body: Body,
          responses: { 200: response('Echoed', Body), 204: response('Nothing', null) },
        }),
      ],
      channels: [],
    });
    const files = generateDocs([surface]);
    const openapi = toJsonObject(JSON.parse(files.get('openapi.json') ?? '{}'));
    const schemas = child(child(openapi, 'components'), 'schemas');
    expect(child(schemas, 'TestIoBody').required).toEqual(['page']);
    expect(child(schemas, 'TestIoBodyInput').required).toBeUndefined();
    expect(files.has('schemas/gpu/TestIoBody.input.json')).toBe(true);
    const op = child(child(child(openapi, 'paths'), '/echo/{id}'), 'post');
    expect(op.security).toEqual([{ bearerAuth: ['admin'] }, { cookieAuth: ['admin'] }]);
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'flag', in: 'query', required: true, schema: { type: 'string', enum: ['0', '1'] } },
    ]);
    expect(child(child(op, 'responses'), '204')).toEqual({ description: 'Nothing' });
  });
});

describe('planned routes and channels', () => {
  it('are left out of OpenAPI, AsyncAPI and the index, and a surface with nothing else too', () => {
    // Every declared route may be served by now: one planned route is added to check the rule.
    const withPlanned = declared.map((surface) => {
      const [first] = surface.routes;
      if (surface.name !== 'monitoring' || first === undefined) return surface;
      const extra = {
        ...first,
        id: 'monitoring.plannedExample',
        path: '/api/v1/planned-example',
        planned: true,
      };
      return { ...surface, routes: [...surface.routes, extra] };
    });
    const planned = withPlanned.flatMap((surface) => [
      ...surface.routes.filter((route) => route.planned),
      ...surface.channels.filter((channel) => channel.planned),
    ]);
    expect(planned.length).toBeGreaterThan(0);
    const plannedDocs = generateDocs(withPlanned);
    const text = [...plannedDocs.values()].join('\n');
    for (const item of planned) expect(text, item.id).not.toContain(`"${item.id}"`);
    const index = plannedDocs.get('README.md') ?? '';
    for (const item of planned) expect(index, item.id).not.toContain(`\`${item.path}\``);
    const withoutServed = declared.filter((s) => !surfaces.some((t) => t.name === s.name));
    for (const surface of withoutServed) {
      expect(index).not.toContain(`\`${surface.name}\``);
    }
  });
});

describe('committed docs', () => {
  // The drift check: fails when docs/protocol was not regenerated after a schema change.
  it(`${DOCS_DIR} equals the generated output (run \`npm run docs\`)`, async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const diff = diffDocs(docs, await readDocs(join(root, DOCS_DIR)));
    expect(diff).toEqual({ differing: [], missing: [], extra: [] });
  });
});
