/**
 * The OpenAPI 3.1 document: every route of every surface, one tag per surface. Request bodies,
 * queries and params are described from their input side, responses from their output side;
 * schemas with an id become `components.schemas` entries referenced by `$ref`.
 */
import * as z from 'zod';
import type { RouteDef, SurfaceDef } from '../../packages/sdk/src/protocol/common';
import { SchemaCollector } from './convert';
import type { JsonObject } from './json';
import { surfaceTag } from './messages';
import { openApiSecurity, openApiSecuritySchemes } from './security';

export interface DocInfo {
  readonly version: string;
}

const PATH_PARAM = /\{([^}]+)\}/g;

export function buildOpenApi(surfaces: readonly SurfaceDef[], info: DocInfo): JsonObject {
  const schemas = new SchemaCollector('draft-2020-12', '#/components/schemas/');
  const paths: Record<string, JsonObject> = {};
  const operationIds = new Set<string>();
  for (const surface of surfaces) {
    for (const route of surface.routes) {
      if (operationIds.has(route.id)) throw new Error(`Duplicate route id ${route.id}`);
      operationIds.add(route.id);
      const item = (paths[route.path] ??= {});
      const method = route.method.toLowerCase();
      if (item[method] !== undefined) {
        throw new Error(`${route.method} ${route.path} is declared twice (${route.id})`);
      }
      item[method] = operation(surface, route, schemas);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marquee HTTP API',
      version: info.version,
      description:
        'Every REST route of the Marquee server, generated from the zod schemas in packages/sdk/src/protocol. Each tag is one surface; each surface answers errors in its own documented shape (see its error responses). `x-marquee-extension: true` marks routes Marquee adds to its seed document; `x-marquee-auth` names the auth policy; `x-marquee-rate-limit` gives the documented limit (`max` requests per `windowSeconds`, counted per client address or per user; routes with the same `bucket` share one counter), beyond which the answer is 429 with `Retry-After`. A request whose only credential is the session cookie is refused with 403 when it changes state (POST, PUT, PATCH, DELETE) from an Origin that is neither the server nor listed in `MARQUEE_CORS_ORIGINS`.',
    },
    tags: surfaces.map(surfaceTag),
    paths,
    components: { schemas: schemas.components(), securitySchemes: openApiSecuritySchemes() },
  };
}

function operation(surface: SurfaceDef, route: RouteDef, schemas: SchemaCollector): JsonObject {
  const op: JsonObject = {
    operationId: route.id,
    summary: route.summary,
    tags: [surface.name],
  };
  const parameters = [...pathParameters(route, schemas), ...queryParameters(route, schemas)];
  if (parameters.length > 0) op.parameters = parameters;
  const bodyKind = route.bodyKind ?? (route.body ? 'json' : 'none');
  if (route.body && bodyKind !== 'none') {
    const schema = schemas.add(route.body, 'input', `${route.id} body`);
    const mediaTypes =
      bodyKind === 'multipart'
        ? ['multipart/form-data']
        : bodyKind === 'json-or-form'
          ? ['application/json', 'application/x-www-form-urlencoded']
          : ['application/json'];
    op.requestBody = {
      required: !z.safeParse(route.body, undefined).success,
      content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])),
    };
  }
  const responses: JsonObject = {};
  for (const [status, def] of Object.entries(route.responses)) {
    const response: JsonObject = { description: def.description };
    const where = `${route.id} response ${status}`;
    if (def.schema) {
      const mediaType = def.contentType ?? 'application/json';
      response.content = { [mediaType]: { schema: schemas.add(def.schema, 'output', where) } };
    } else if (def.contentType !== undefined) {
      response.content = { [def.contentType]: {} };
    }
    responses[status] = response;
  }
  op.responses = responses;
  op.security = openApiSecurity(route.auth);
  op['x-marquee-auth'] = route.auth;
  if (route.extension) op['x-marquee-extension'] = true;
  if (route.rateLimit) {
    const { max, windowSeconds, per, bucket = route.id } = route.rateLimit;
    op['x-marquee-rate-limit'] = { max, windowSeconds, per, bucket };
  }
  return op;
}

function pathParameters(route: RouteDef, schemas: SchemaCollector): JsonObject[] {
  const names = [...route.path.matchAll(PATH_PARAM)].map((match) => match[1] ?? '');
  const declared = route.params
    ? schemas.addObject(route.params, 'input', `${route.id} params`).properties
    : [];
  const byName = new Map(declared);
  for (const [name] of declared) {
    if (!names.includes(name))
      throw new Error(`${route.id}: param ${name} is not in ${route.path}`);
  }
  return names.map((name) => parameter(name, 'path', true, byName.get(name) ?? { type: 'string' }));
}

function queryParameters(route: RouteDef, schemas: SchemaCollector): JsonObject[] {
  if (!route.query) return [];
  const { properties, required } = schemas.addObject(route.query, 'input', `${route.id} query`);
  return properties.map(([name, schema]) => parameter(name, 'query', required.has(name), schema));
}

function parameter(name: string, location: string, required: boolean, schema: JsonObject) {
  const param: JsonObject = { name, in: location, required };
  if (typeof schema.description === 'string') param.description = schema.description;
  param.schema = schema;
  return param;
}
