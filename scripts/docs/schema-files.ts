/**
 * One JSON Schema (draft 2020-12) file per schema a surface uses, at
 * `schemas/<surface>/<id>.json`. A schema used both as input and as output whose two renderings
 * differ gets a second file, `<id>.input.json`.
 */
import type { z } from 'zod';
import type { SurfaceDef } from '../../packages/sdk/src/protocol/common';
import { jsonSchemaDocument, schemaId, type Io } from './convert';
import { formatJson, jsonEqual, type JsonObject } from './json';
import { surfaceSchemas } from './messages';

type Schema = z.core.$ZodType;

export interface SchemaFiles {
  /** Path (relative to docs/protocol) → file content. */
  readonly files: ReadonlyMap<string, string>;
  /** Where `schema`, as `surface` uses it on side `io`, is documented. */
  pathOf(surface: SurfaceDef, schema: Schema, io: Io): string | undefined;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function buildSchemaFiles(surfaces: readonly SurfaceDef[]): SchemaFiles {
  const files = new Map<string, string>();
  const paths = new Map<SurfaceDef, Map<Schema, Map<Io, string>>>();
  for (const surface of surfaces) {
    const rendered = new Map<Schema, Map<Io, { name: string; doc: JsonObject }>>();
    for (const use of surfaceSchemas(surface)) {
      const sides = rendered.get(use.schema) ?? new Map<Io, { name: string; doc: JsonObject }>();
      rendered.set(use.schema, sides);
      if (sides.has(use.io)) continue;
      const name = schemaId(use.schema) ?? use.fallback;
      if (!SAFE_NAME.test(name)) throw new Error(`Schema name ${name} is not a safe file name`);
      sides.set(use.io, { name, doc: jsonSchemaDocument(use.schema, use.io, name) });
    }
    const owners = new Map<string, Schema>();
    const surfacePaths = new Map<Schema, Map<Io, string>>();
    for (const [schema, sides] of rendered) {
      const output = sides.get('output');
      const input = sides.get('input');
      const located = new Map<Io, string>();
      const place = (io: Io, name: string, doc: JsonObject) => {
        const path = `schemas/${surface.name}/${name}.json`;
        const owner = owners.get(path);
        if (owner !== undefined && owner !== schema) {
          throw new Error(`Two schemas of ${surface.name} would be written to ${path}`);
        }
        owners.set(path, schema);
        files.set(path, formatJson(doc));
        located.set(io, path);
      };
      if (output) place('output', output.name, output.doc);
      if (input) {
        const same = output !== undefined && jsonEqual(output.doc, input.doc);
        place('input', output && !same ? `${input.name}.input` : input.name, input.doc);
      }
      surfacePaths.set(schema, located);
    }
    paths.set(surface, surfacePaths);
  }
  return {
    files,
    pathOf: (surface, schema, io) => paths.get(surface)?.get(schema)?.get(io),
  };
}
