/**
 * Values for the fuzzer, generated from the SDK's zod schemas: each schema is turned into JSON
 * Schema with zod's own `z.toJSONSchema` (its input side: what a client may send) and from there
 * into a fast-check arbitrary of valid-shaped values. Beside those: hostile values (boundaries,
 * huge strings, NUL, lone surrogates, numbers JSON cannot carry, wrong types, deep nesting) and
 * mutations that put one hostile value anywhere inside a valid one.
 *
 * Values are plain JSON plus `RawJson`, a fragment written into the body text as it is (`1e999`,
 * `NaN`, a 5,000-deep array), serialised by `toJsonText`.
 */
import fc from 'fast-check';
import * as z from 'zod';

type JsonSchema = { readonly [key: string]: unknown };

/** A fragment written verbatim into a JSON body (numbers JSON.stringify would not write). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, but `RawJson` fragments are written as they are. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((each) => toJsonText(each)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([key, each]) => `${JSON.stringify(key)}:${toJsonText(each)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The input side of `schema` as JSON Schema (unrepresentable parts read as "anything"). */
export function jsonSchemaOf(schema: z.core.$ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    cycles: 'ref',
  });
}

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** A string matching `pattern` when fast-check can generate one, else any short string. */
function patterned(pattern: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  try {
    return fc
      .stringMatching(new RegExp(pattern))
      .filter((s) => s.length >= minLength && s.length <= maxLength);
  } catch {
    return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 32) });
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = num(schema.minLength) ?? 0;
  const maxLength = num(schema.maxLength) ?? minLength + 40;
  const bounded = Math.min(maxLength, minLength + 40);
  switch (schema.format) {
    case 'date-time':
      return fc
        .date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true })
        .map((date) => date.toISOString());
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'uri':
    case 'url':
      return fc.webUrl();
    default:
  }
  if (typeof schema.pattern === 'string') return patterned(schema.pattern, minLength, maxLength);
  return fc.oneof(
    fc.string({ minLength, maxLength: bounded }),
    fc.string({ minLength, maxLength: bounded, unit: 'grapheme' }),
  );
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const exclusiveMin = num(schema.exclusiveMinimum);
  const exclusiveMax = num(schema.exclusiveMaximum);
  if (integer) {
    let min = num(schema.minimum) ?? -1_000_000;
    let max = num(schema.maximum) ?? 1_000_000_000;
    if (exclusiveMin !== undefined) min = Math.floor(exclusiveMin) + 1;
    if (exclusiveMax !== undefined) max = Math.ceil(exclusiveMax) - 1;
    min = Math.max(min, Number.MIN_SAFE_INTEGER);
    max = Math.min(max, Number.MAX_SAFE_INTEGER);
    if (max < min) return fc.constant(min);
    // Values near the minimum get a share of their own: database ids 1, 2, 3 exist.
    return fc.oneof(fc.integer({ min, max }), fc.integer({ min, max: Math.min(max, min + 3) }));
  }
  const min = num(schema.minimum) ?? exclusiveMin ?? -1e9;
  const max = num(schema.maximum) ?? exclusiveMax ?? 1e9;
  return fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true })
    .filter(
      (n) =>
        (exclusiveMin === undefined || n > exclusiveMin) &&
        (exclusiveMax === undefined || n < exclusiveMax),
    );
}

/** Valid-shaped values of a JSON Schema (as zod writes it). */
export function arbitraryOf(
  schema: JsonSchema,
  defs: Readonly<Record<string, unknown>> = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const allDefs = isObject(schema.$defs) ? { ...defs, ...schema.$defs } : defs;
  const next = (each: unknown) => arbitraryOf(isObject(each) ? each : {}, allDefs, depth + 1);
  if (depth > 8) return fc.constant(null);
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop() ?? '';
    return next(allDefs[name]);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return fc.oneof(...options.map(next));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return next(schema.allOf[0]);
  if (Array.isArray(schema.type)) {
    return fc.oneof(...(schema.type as string[]).map((type) => next({ ...schema, type })));
  }
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (Array.isArray(schema.prefixItems)) return fc.tuple(...schema.prefixItems.map(next));
      const minLength = num(schema.minItems) ?? 0;
      const maxLength = Math.min(num(schema.maxItems) ?? minLength + 6, minLength + 6);
      return fc.array(next(schema.items), { minLength, maxLength });
    }
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      const keys = Object.keys(properties);
      if (keys.length === 0 && isObject(schema.additionalProperties)) {
        return fc.dictionary(fc.string({ maxLength: 16 }), next(schema.additionalProperties), {
          maxKeys: 4,
        });
      }
      return fc.record(Object.fromEntries(keys.map((key) => [key, next(properties[key])])), {
        requiredKeys: keys.filter((key) => required.includes(key)),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Valid-shaped values of a zod schema. */
export function validValues(schema: z.core.$ZodType): fc.Arbitrary<unknown> {
  return arbitraryOf(jsonSchemaOf(schema));
}

/** `depth` nested arrays or objects, as a raw fragment (no recursion to build or write it). */
export function deeplyNested(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** Strings at the edges: empty, huge, NUL, lone surrogates, paths, markup, odd unicode. */
export const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDC00y',
    '\uFFFF\uFFFE',
    '\u202Eevil',
    '🎬'.repeat(300),
    '../../../etc/passwd',
    '..\\..\\windows',
    '%00',
    '%zz',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    '9'.repeat(400),
    '-1',
    'NaN',
    '1e999',
    'true',
    'null',
  ),
  fc.integer({ min: 256, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
);

/** Numbers at the edges, and numbers JSON cannot carry written as they are. */
export const hostileNumbers: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    0.5,
    -0.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    2 ** 63,
    1e21,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_VALUE,
  ),
  fc
    .constantFrom('1e999', '-1e999', 'NaN', 'Infinity', '-Infinity', '1' + '0'.repeat(400))
    .map((text) => new RawJson(text)),
  fc.double(),
  fc.integer(),
);

/** Anything of the wrong type, up to deep nesting. */
export const wrongTypes: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, [], {}, [null], { '': null }, [[[]]]),
  // Prototype-poisoning keys, written as JSON text (an object literal would not carry them).
  fc.constantFrom(
    new RawJson('{"__proto__":{"admin":true}}'),
    new RawJson('{"constructor":{"prototype":{"admin":true}}}'),
  ),
  fc.integer({ min: 50, max: 3000 }).map((depth) => deeplyNested(depth, 'array')),
  fc.integer({ min: 50, max: 3000 }).map((depth) => deeplyNested(depth, 'object')),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.integer(), { minLength: 1000, maxLength: 5000 }),
);

export const hostileValues: fc.Arbitrary<unknown> = fc.oneof(
  hostileStrings,
  hostileNumbers,
  wrongTypes,
);

type Path = readonly (string | number)[];

/** Every position inside `value` (the root included), in a stable order. */
function positions(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((each, i) => positions(each, [...path, i], out));
  else if (value !== null && typeof value === 'object' && !(value instanceof RawJson)) {
    for (const [key, each] of Object.entries(value)) positions(each, [...path, key], out);
  }
  return out;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object' && !(value instanceof RawJson)) {
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, clone(each)]));
  }
  return value;
}

export type Mutation = 'replace' | 'remove' | 'add-key';

/** `value` with one position replaced by `hostile`, removed, or given an unknown key. */
export function mutate(value: unknown, pick: number, how: Mutation, hostile: unknown): unknown {
  const all = positions(value);
  const path = all[pick % all.length] ?? [];
  if (path.length === 0)
    return how === 'add-key' ? { ...asObject(value), zz_unknown: hostile } : hostile;
  const copy = clone(value);
  let holder = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (how === 'replace') holder[last] = hostile;
  else if (how === 'remove' && Array.isArray(holder)) holder.splice(Number(last), 1);
  else if (how === 'remove') delete holder[last];
  else {
    const target = holder[last];
    holder[last] =
      target !== null && typeof target === 'object' && !Array.isArray(target)
        ? { ...target, zz_unknown: hostile }
        : hostile;
  }
  return copy;
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Valid values of `schema`, and the same with one hostile change anywhere in them. */
export function fuzzedValues(schema: z.core.$ZodType | undefined): fc.Arbitrary<unknown> {
  const valid = schema === undefined ? fc.jsonValue({ maxDepth: 2 }) : validValues(schema);
  const mutated = fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom<Mutation>('replace', 'remove', 'add-key'),
      hostileValues,
    )
    .map(([value, pick, how, hostile]) => mutate(value, pick, how, hostile));
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 5, arbitrary: mutated },
    { weight: 1, arbitrary: hostileValues },
  );
}
