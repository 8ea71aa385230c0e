/**
 * Runs one store suite against every engine: the embedded SQLite file and PostgreSQL. Each test
 * gets a fresh SQLite file in a temporary directory, or a fresh PostgreSQL database; `open` may be
 * called several times in a test (after a `close`, to check what survives a reopen) and always
 * opens the same one. The PostgreSQL suite is skipped (or fails under CI=true, see postgres.ts)
 * when the server is unreachable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import {
  type Migration,
  type Store,
  openPostgresStore,
  openSqliteStore,
} from '../../src/core/store';
import { type PostgresForTests, type TestDatabase } from './postgres';

export type EngineKind = 'sqlite' | 'postgres';

export interface EngineUnderTest {
  readonly kind: EngineKind;
  /** Opens a store on this test's database; closed after the test. */
  open(options?: { now?: () => Date; migrations?: readonly Migration[] }): Promise<Store>;
  /** PostgreSQL: this test's database URL; SQLite: the file's path. */
  location(): string;
}

export function describeEachEngine(
  pg: PostgresForTests,
  title: string,
  body: (engine: EngineUnderTest) => void,
): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe.skipIf(kind === 'postgres' && !pg.available)(`${title} [${kind}]`, () => {
      let dir = '';
      let database: TestDatabase | undefined;
      const opened: Store[] = [];
      beforeEach(async () => {
        dir = mkdtempSync(join(tmpdir(), 'marquee-engine-'));
        if (kind === 'postgres') database = await pg.createDatabase();
      });
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((store) => store.close()));
        await database?.drop();
        database = undefined;
        rmSync(dir, { recursive: true, force: true });
      });
      const location = () => {
        if (kind === 'sqlite') return join(dir, 'marquee.db');
        if (database === undefined) throw new Error('No test database');
        return database.url;
      };
      body({
        kind,
        location,
        async open(options = {}) {
          const store =
            kind === 'sqlite'
              ? await openSqliteStore(location(), options)
              : await openPostgresStore(location(), { ...options, maxConnections: 4 });
          opened.push(store);
          return store;
        },
      });
    });
  }
}
