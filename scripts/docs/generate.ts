/**
 * The docs generator as a pure function: surfaces in, files out. `scripts/gen-docs.ts` writes or
 * checks them; the drift test compares them with what is committed.
 */
import type { SurfaceDef } from '../../packages/sdk/src/protocol/common';
import sdkPackage from '../../packages/sdk/package.json' with { type: 'json' };
import { buildAsyncApi } from './asyncapi';
import { formatJson } from './json';
import { buildOpenApi } from './openapi';
import { buildReadme } from './readme';
import { buildSchemaFiles } from './schema-files';

/** Where the generated files live, relative to the repository root. */
export const DOCS_DIR = 'docs/protocol';

/**
 * Every file of docs/protocol: path relative to that folder (`/`-separated) → content, sorted by
 * path. The same surfaces always give the same bytes: no timestamps, stable key order, 2-space
 * JSON with a trailing newline.
 */
export function generateDocs(surfaces: readonly SurfaceDef[]): Map<string, string> {
  const info = { version: sdkPackage.version };
  const schemaFiles = buildSchemaFiles(surfaces);
  const files = new Map<string, string>([
    ['README.md', buildReadme(surfaces, schemaFiles)],
    ['openapi.json', formatJson(buildOpenApi(surfaces, info))],
    ['asyncapi.json', formatJson(buildAsyncApi(surfaces, info))],
    ...schemaFiles.files,
  ]);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
