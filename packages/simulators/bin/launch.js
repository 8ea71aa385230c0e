// Runs one of the package's executables: the build (dist/<entry>.js) when it is there and not
// older than the source, else the TypeScript source through tsx (a checkout that was not built,
// or was edited since). Set MARQUEE_SIM_RUNTIME=dist or =source to force one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** @param {string} dir */
function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    newest = Math.max(newest, statSync(join(dir, String(name))).mtimeMs);
  }
  return newest;
}

/**
 * @param {string} built
 * @param {string} source
 */
function wantSource(built, source) {
  const runtime = process.env.MARQUEE_SIM_RUNTIME;
  if (runtime === 'dist' || !existsSync(source)) return false;
  if (runtime === 'source' || !existsSync(built)) return true;
  return newestMtime(join(root, 'src')) > statSync(built).mtimeMs;
}

/**
 * Running from source, the workspace packages this one imports (@marquee/sdk) resolve to their
 * sources too (their `@marquee/source` export condition), as in the tests: an unbuilt or stale
 * build of a sibling must not be what a source run executes.
 */
function useWorkspaceSources() {
  const hook =
    'export async function resolve(specifier, context, next) {' +
    " return next(specifier, { ...context, conditions: [...context.conditions, '@marquee/source'] }); }";
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

/**
 * @param {string} entry the build's entry name (dist/<entry>.js)
 * @param {string} source the entry's source, relative to src/
 */
export async function launch(entry, source) {
  const built = join(root, 'dist', `${entry}.js`);
  const sourcePath = join(root, 'src', source);
  if (wantSource(built, sourcePath)) {
    const tsx = await loadTsx();
    if (tsx) {
      useWorkspaceSources();
      await tsx.tsImport(sourcePath, import.meta.url);
      return;
    }
    if (!existsSync(built)) {
      throw new Error(`${entry}: no build and no tsx to run the source; run \`npm run build\``);
    }
  }
  await import(new URL(`../dist/${entry}.js`, import.meta.url).href);
}
