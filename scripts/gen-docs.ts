/**
 * Generates docs/protocol from the protocol schemas (`npm run docs`), or with `--check` verifies
 * that the committed folder matches them (`npm run docs:check`, run by `npm test`).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { surfaces } from '../packages/sdk/src/protocol/surfaces';
import { diffDocs, isClean, readDocs, writeDocs } from './docs/disk';
import { DOCS_DIR, generateDocs } from './docs/generate';

const dir = join(fileURLToPath(new URL('..', import.meta.url)), DOCS_DIR);
const files = generateDocs(surfaces);

if (process.argv.includes('--check')) {
  const diff = diffDocs(files, await readDocs(dir));
  if (isClean(diff)) {
    console.log(`${DOCS_DIR} is up to date (${files.size} files)`);
  } else {
    console.error(`${DOCS_DIR} differs from the schemas; run \`npm run docs\`:`);
    for (const path of diff.differing) console.error(`  differs: ${path}`);
    for (const path of diff.missing) console.error(`  missing: ${path}`);
    for (const path of diff.extra) console.error(`  extra:   ${path}`);
    process.exitCode = 1;
  }
} else {
  const diff = await writeDocs(dir, files);
  console.log(
    `${DOCS_DIR}: ${files.size} files (${diff.missing.length} new, ${diff.differing.length} updated, ${diff.extra.length} removed)`,
  );
}
