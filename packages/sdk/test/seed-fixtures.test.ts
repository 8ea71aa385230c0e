import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  extractSeedExamples,
  fixturesDir,
  readSeed,
  SEED_FILES,
  type SeedName,
} from './helpers/seed-examples';

// The contract lives in ../shared/seeds beside a checkout; the copies in test/fixtures/seeds let a
// clone without ../shared run the tests. Where the originals are present they must be identical.
const sharedSeeds = fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url));

describe('seed fixtures', () => {
  for (const [name, file] of Object.entries(SEED_FILES)) {
    it.runIf(existsSync(sharedSeeds + file))(
      `${name}: copy matches ../shared/seeds/${file}`,
      () => {
        expect(readFileSync(fixturesDir + file, 'utf8')).toBe(
          readFileSync(sharedSeeds + file, 'utf8'),
        );
      },
    );
    it(`${name}: has JSON examples`, () => {
      expect(extractSeedExamples(readSeed(name as SeedName)).length).toBeGreaterThan(0);
    });
  }
});
