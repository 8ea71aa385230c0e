/**
 * Plain JSON values for the generated documents, and the two operations every generator needs on
 * them: a deterministic serialisation and a walk over `$ref`s.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Copies `value` into plain JSON: drops functions, `undefined` and symbol keys, as
 * `JSON.stringify` would. Used on what zod's JSON Schema conversion returns, which carries a
 * non-JSON `~standard` property.
 */
export function toJson(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('Value has no JSON representation');
  return parseJson(JSON.parse(text));
}

/** Like {@link toJson} for values that must be objects. */
export function toJsonObject(value: unknown): JsonObject {
  const json = toJson(value);
  if (!isJsonObject(json)) throw new TypeError('Expected a JSON object');
  return json;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Two-space indent and a trailing newline: the format of every generated JSON file. */
export function formatJson(value: JsonValue): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Calls `visit` for every object holding a string `$ref`; `visit` may rewrite `holder.$ref`. */
export function forEachRef(
  value: JsonValue,
  visit: (holder: JsonObject, ref: string) => void,
): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachRef(item, visit);
    return;
  }
  if (!isJsonObject(value)) return;
  if (typeof value.$ref === 'string') visit(value, value.$ref);
  for (const child of Object.values(value)) forEachRef(child, visit);
}

function parseJson(value: unknown): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(parseJson);
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[key] = parseJson(item);
    return out;
  }
  throw new TypeError(`Not JSON: ${typeof value}`);
}
