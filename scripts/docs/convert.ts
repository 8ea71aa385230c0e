/**
 * zod → JSON Schema, through zod 4's own `z.toJSONSchema`, plus a collector that gathers the
 * schemas with a `.meta({ id })` into one components section (OpenAPI `components.schemas`,
 * AsyncAPI `components.schemas`) and turns every use of them into a `$ref`.
 *
 * A schema can render differently as input and as output (defaults, `additionalProperties`), so
 * the collector keeps both renderings; where they differ, the input one is named `<id>Input`.
 */
import { z } from 'zod';
import { forEachRef, isJsonObject, jsonEqual, toJsonObject, type JsonObject } from './json';

/**
 * Which side of a schema to describe: `input` for what a sender may write (request bodies,
 * queries, params, client messages: defaults are optional, transforms' inputs), `output` for what
 * the server sends (responses, server messages: defaults filled in, no unknown keys).
 */
export type Io = 'input' | 'output';

/** `draft-2020-12` for OpenAPI 3.1 and the schema files; `draft-07` for AsyncAPI 3.0 payloads. */
export type Target = 'draft-2020-12' | 'draft-07';

type Schema = z.core.$ZodType;

/** The id a schema was given with `.meta({ id })`, if any. */
export function schemaId(schema: Schema): string | undefined {
  return z.globalRegistry.get(schema)?.id;
}

/** One conversion: the root, with schemas that have ids as `#/$defs/<id>` refs into `defs`. */
export interface Converted {
  readonly root: JsonObject;
  readonly defs: ReadonlyMap<string, JsonObject>;
}

const LOCAL_REF = /^#\/(?:\$defs|definitions)\/(.+)$/;

/** Converts `schema`; `where` names it in errors (`route gpu.ollamaLoad body`). */
export function convertSchema(schema: Schema, io: Io, target: Target, where: string): Converted {
  let raw: unknown;
  try {
    raw = z.toJSONSchema(schema, { io, target, unrepresentable: 'throw', cycles: 'ref' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${where}: no JSON Schema for its ${io} (${reason})`, { cause: error });
  }
  const { $schema: _schema, $defs, definitions, ...root } = toJsonObject(raw);
  const defs = new Map<string, JsonObject>();
  for (const [key, def] of Object.entries(isJsonObject($defs) ? $defs : {})) {
    if (isJsonObject(def)) defs.set(key, def);
  }
  for (const [key, def] of Object.entries(isJsonObject(definitions) ? definitions : {})) {
    if (isJsonObject(def)) defs.set(key, def);
  }
  const normalise = (holder: JsonObject, ref: string): void => {
    const name = LOCAL_REF.exec(ref)?.[1];
    if (name === undefined || !defs.has(name) || name.startsWith('__')) {
      throw new Error(
        `${where}: a recursive schema without an id (${ref}); give it .meta({ id: '...' })`,
      );
    }
    holder.$ref = `#/$defs/${name}`;
  };
  forEachRef(root, normalise);
  for (const def of defs.values()) forEachRef(def, normalise);
  return { root, defs };
}

/**
 * Converts `schema` into a self-contained JSON Schema document: `$schema`, the schema itself at
 * the root (not a `$ref` to its own definition) and the schemas it uses under `$defs`.
 */
export function jsonSchemaDocument(schema: Schema, io: Io, where: string): JsonObject {
  const { root, defs } = convertSchema(schema, io, 'draft-2020-12', where);
  const id = schemaId(schema);
  const ownRef = `#/$defs/${id}`;
  const own = id !== undefined && root.$ref === ownRef ? defs.get(id) : undefined;
  const body = own ?? root;
  const others = [...defs].filter(([key]) => own === undefined || key !== id);
  if (own !== undefined) {
    for (const def of [body, ...others.map(([, def]) => def)]) {
      forEachRef(def, (holder, ref) => {
        if (ref === ownRef) holder.$ref = '#';
      });
    }
  }
  const document: JsonObject = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...body };
  if (others.length > 0) document.$defs = Object.fromEntries(others);
  return document;
}

/**
 * Gathers schemas for one document. `add` returns the converted schema at once, holding refs in
 * an internal form; `components` must run after the last `add` and before serialising: it points
 * every ref handed out so far at its final component name.
 */
export class SchemaCollector {
  private readonly defs: Record<Io, Map<string, JsonObject>> = {
    input: new Map(),
    output: new Map(),
  };
  private readonly roots: Array<{ readonly json: JsonObject; readonly io: Io }> = [];

  constructor(
    private readonly target: Target,
    /** Where components live, e.g. `#/components/schemas/`. */
    private readonly refBase: string,
  ) {}

  add(schema: Schema, io: Io, where: string): JsonObject {
    const { root, defs } = convertSchema(schema, io, this.target, where);
    for (const [id, def] of defs) this.keep(id, def, io, where);
    this.roots.push({ json: root, io });
    return root;
  }

  /** The properties of an object schema (for parameters), each a schema with final refs. */
  addObject(
    schema: Schema,
    io: Io,
    where: string,
  ): { properties: Array<[string, JsonObject]>; required: Set<string> } {
    const root = this.add(schema, io, where);
    const id = LOCAL_REF.exec(typeof root.$ref === 'string' ? root.$ref : '')?.[1];
    const body = id === undefined ? root : this.defs[io].get(id);
    if (body === undefined || !isJsonObject(body.properties)) {
      throw new Error(`${where}: expected an object schema`);
    }
    const properties: Array<[string, JsonObject]> = [];
    for (const [name, property] of Object.entries(body.properties)) {
      if (!isJsonObject(property)) continue;
      const copy = structuredClone(property);
      this.roots.push({ json: copy, io });
      properties.push([name, copy]);
    }
    const required = Array.isArray(body.required) ? body.required : [];
    return {
      properties,
      required: new Set(required.filter((name) => typeof name === 'string')),
    };
  }

  /** Resolves every ref handed out and returns the components, sorted by name. */
  components(): Record<string, JsonObject> {
    const name = this.naming();
    const resolve = (io: Io) => (holder: JsonObject, ref: string) => {
      const id = LOCAL_REF.exec(ref)?.[1];
      if (id !== undefined) holder.$ref = this.refBase + name(id, io);
    };
    const components = new Map<string, JsonObject>();
    for (const io of ['output', 'input'] as const) {
      for (const [id, def] of this.defs[io]) {
        const key = name(id, io);
        if (components.has(key)) continue;
        forEachRef(def, resolve(io));
        components.set(key, def);
      }
    }
    for (const { json, io } of this.roots) forEachRef(json, resolve(io));
    return Object.fromEntries([...components].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private keep(id: string, def: JsonObject, io: Io, where: string): void {
    const seen = this.defs[io].get(id);
    if (seen === undefined) this.defs[io].set(id, def);
    else if (!jsonEqual(seen, def)) {
      throw new Error(`${where}: two different schemas use the id ${id}`);
    }
  }

  /**
   * Output renderings keep the plain id. An input rendering is `<id>Input` when it differs from
   * the output one, or when it refers to a schema whose input rendering is `...Input`.
   */
  private naming(): (id: string, io: Io) => string {
    const { input, output } = this.defs;
    const renamed = new Set<string>();
    for (const [id, def] of input) {
      const out = output.get(id);
      if (out !== undefined && !jsonEqual(out, def)) renamed.add(id);
    }
    for (let grew = true; grew;) {
      grew = false;
      for (const [id, def] of input) {
        if (renamed.has(id) || !output.has(id)) continue;
        let usesRenamed = false;
        forEachRef(def, (_holder, ref) => {
          const target = LOCAL_REF.exec(ref)?.[1];
          if (target !== undefined && renamed.has(target)) usesRenamed = true;
        });
        if (usesRenamed) {
          renamed.add(id);
          grew = true;
        }
      }
    }
    for (const id of renamed) {
      if (input.has(`${id}Input`) || output.has(`${id}Input`)) {
        throw new Error(`Schema id ${id}Input clashes with the input rendering of ${id}`);
      }
    }
    return (id, io) => (io === 'input' && renamed.has(id) ? `${id}Input` : id);
  }
}
