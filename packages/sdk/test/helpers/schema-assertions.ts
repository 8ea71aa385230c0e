import { expect, it } from 'vitest';
import { safeParse, type $ZodType } from 'zod/v4/core';
import type { SeedExample } from './seed-examples';

/** Asserts that `value` fails `schema` (classic zod or zod/mini) with an issue at exactly `path`. */
export function expectIssueAt(
  schema: $ZodType,
  value: unknown,
  path: ReadonlyArray<string | number>,
): void {
  const result = safeParse(schema, value);
  expect(result.success, `expected ${JSON.stringify(path)} to be rejected`).toBe(false);
  const paths = (result.error?.issues ?? []).map((issue) => issue.path);
  expect(paths).toContainEqual([...path]);
}

/**
 * Asserts that a surface test names a schema for every example of its seed, in document order,
 * so a seed example cannot go unvalidated.
 */
export function expectSeedCoverage(
  examples: readonly SeedExample[],
  schemas: readonly unknown[],
): void {
  expect(schemas.length, `the seed has ${examples.length} examples`).toBe(examples.length);
}

/**
 * The seed-example suite every surface runs: each example of the document, in order, is named
 * with its schema (`null` marks a pure placeholder the surface tests by hand); the list must cover
 * the document; each example parses; and parsing keeps every documented field (nothing stripped).
 */
export function testSeedExamples(
  examples: readonly SeedExample[],
  schemas: ReadonlyArray<readonly [string, $ZodType | null]>,
): void {
  it('maps every example of the document to a schema', () => {
    expectSeedCoverage(examples, schemas);
  });

  schemas.forEach(([what, schema], i) => {
    if (schema === null) return;
    it(`parses the ${what} example (line ${examples[i]?.line}) and keeps every field`, () => {
      const result = safeParse(schema, examples[i]?.value);
      expect(result.error).toBeUndefined();
      expect(result.data).toEqual(examples[i]?.value);
    });
  });
}
