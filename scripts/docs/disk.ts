/** Reading, comparing and writing the generated folder. */
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Every file under `dir` (path relative to it, `/`-separated) → content; empty if it is missing. */
export async function readDocs(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries.sort()) {
    const path = join(dir, entry);
    try {
      files.set(entry.split('\\').join('/'), await readFile(path, 'utf8'));
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'EISDIR') continue;
      throw error;
    }
  }
  return files;
}

export interface DocsDiff {
  /** On disk with other content. */
  readonly differing: string[];
  /** Generated but not on disk. */
  readonly missing: string[];
  /** On disk but no longer generated. */
  readonly extra: string[];
}

export function diffDocs(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): DocsDiff {
  const differing: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of expected) {
    const found = actual.get(path);
    if (found === undefined) missing.push(path);
    else if (found !== content) differing.push(path);
  }
  const extra = [...actual.keys()].filter((path) => !expected.has(path));
  return { differing, missing, extra };
}

export function isClean(diff: DocsDiff): boolean {
  return diff.differing.length + diff.missing.length + diff.extra.length === 0;
}

/** Makes `dir` hold exactly `files`: writes what changed, deletes what is no longer generated. */
export async function writeDocs(
  dir: string,
  files: ReadonlyMap<string, string>,
): Promise<DocsDiff> {
  const diff = diffDocs(files, await readDocs(dir));
  for (const path of [...diff.missing, ...diff.differing]) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, files.get(path) ?? '');
  }
  for (const path of diff.extra) {
    await rm(join(dir, path));
    await removeEmptyParents(dir, dirname(join(dir, path)));
  }
  return diff;
}

async function removeEmptyParents(root: string, dir: string): Promise<void> {
  for (
    let current = dir;
    current.startsWith(root) && current !== root;
    current = dirname(current)
  ) {
    if ((await readdir(current)).length > 0) return;
    await rmdir(current);
  }
}
