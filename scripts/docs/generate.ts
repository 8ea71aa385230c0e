/**
 * The docs generator as a pure function: surfaces in, files out. `scripts/gen-docs.ts` writes or
 * checks them; the drift test compares them with what is committed.
 */
import { servedPart, type SurfaceDef } from '../../packages/sdk/src/protocol/common';
import sdkPackage from '../../packages/sdk/package.json' with { type: 'json' };
import { buildAsyncApi } from './asyncapi';
import { formatJson } from './json';
import { buildOpenApi } from './openapi';
import { buildReadme } from './readme';
import { buildSchemaFiles } from './schema-files';

/** Where the generated files live, relative to the repository root. */
export const DOCS_DIR = 'docs/protocol';

/**
 * What the server serves and the documents describe: planned routes and channels wait, and so
 * does a surface with nothing else.
 */
export function servedSurfaces(declared: readonly SurfaceDef[]): SurfaceDef[] {
  return declared
    .map(servedPart)
    .filter((surface) => surface.routes.length > 0 || surface.channels.length > 0);
}

/**
 * Every file of docs/protocol: path relative to that folder (`/`-separated) → content, sorted by
 * path; routes and channels marked `planned` are left out. The same surfaces always give the same bytes: no timestamps, stable key order, 2-space
 * JSON with a trailing newline.
 */
export function generateDocs(declared: readonly SurfaceDef[]): Map<string, string> {
  const surfaces = servedSurfaces(declared);
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
