/**
 * Reads the JSON examples out of the seed API documents (faithful copies in
 * test/fixtures/seeds/, checked against ../shared/seeds by seed-fixtures.test.ts), so the schema
 * tests validate the documents' own examples rather than hand-copied ones.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SEED_FILES = {
  'now-playing': '000_e5da033e5239ab9e.txt',
  'media-stack': '001_028e20c19d85e869.txt',
  signage: '002_545698250415548c.txt',
  monitoring: '003_e37748172b75a64d.txt',
  gpu: '004_796bb92447f32aa7.txt',
} as const;

export type SeedName = keyof typeof SEED_FILES;

export const fixturesDir = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));

export function readSeed(name: SeedName): string {
  return readFileSync(fixturesDir + SEED_FILES[name], 'utf8');
}

/** One JSON value found in a fenced block of a seed document. */
export interface SeedExample {
  /** 1-based line of the block's opening fence in the document. */
  readonly line: number;
  /** The nearest markdown heading above the block. */
  readonly heading: string;
  /** Position of this value inside its block (blocks may hold several values). */
  readonly indexInBlock: number;
  readonly value: unknown;
}

/**
 * Every JSON value in the document's ```json blocks, plus the values of ```javascript blocks that
 * consist only of JSON values and `//` comments (seed 002's status-flow examples). Code blocks
 * that are real programs are skipped. A ```json block that does not parse throws, so a seed
 * example can never be silently ignored.
 */
export function extractSeedExamples(doc: string): SeedExample[] {
  const lines = doc.split('\n');
  const examples: SeedExample[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '').trim();
    const fence = /^\s*```(json|javascript)\s*$/.exec(line);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? '').trim().startsWith('```'); i++)
      body.push(lines[i] ?? '');
    const text = body.filter((l) => !l.trim().startsWith('//')).join('\n');
    let values: unknown[];
    try {
      values = parseJsonSequence(text);
    } catch (error) {
      if (fence[1] === 'json') {
        throw new Error(`Seed JSON block at line ${start + 1} (${heading}) does not parse`, {
          cause: error,
        });
      }
      continue;
    }
    values.forEach((value, indexInBlock) => {
      examples.push({ line: start + 1, heading, indexInBlock, value });
    });
  }
  return examples;
}

/** Parses whitespace-separated JSON values ("{...}\n{...}"). */
export function parseJsonSequence(text: string): unknown[] {
  const values: unknown[] = [];
  let pos = 0;
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
    if (pos >= text.length) break;
    const end = endOfValue(text, pos);
    values.push(JSON.parse(text.slice(pos, end)));
    pos = end;
  }
  return values;
}

function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    const m = /^("(?:[^"\\]|\\.)*"|[^\s]+)/.exec(text.slice(start));
    if (!m) throw new SyntaxError(`Unexpected input at ${start}`);
    return start + m[0].length;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new SyntaxError(`Unbalanced JSON value starting at ${start}`);
}
