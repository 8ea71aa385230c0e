/**
 * Helpers the signage repositories share: a transaction wrapper (savepoints, so it nests) and
 * JSON columns read back through the protocol's schemas rather than cast.
 */
import { type DatabaseSync } from 'node:sqlite';
import * as z from 'zod';
import { type Row, text } from '../../../../core/store/sqlite/statements';

export type Transaction = <T>(work: () => T) => T;

export function transaction(db: DatabaseSync): Transaction {
  let depth = 0;
  return (work) => {
    const name = `signage_${depth}`;
    db.exec(`SAVEPOINT ${name}`);
    depth += 1;
    try {
      const result = work();
      depth -= 1;
      db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      depth -= 1;
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
      throw error;
    }
  };
}

/** A JSON text column parsed with `schema` (zod's function form works for any flavour). */
export function json<S extends z.core.$ZodType>(row: Row, column: string, schema: S): z.output<S> {
  return z.parse(schema, JSON.parse(text(row, column)));
}

export const NumberList = z.array(z.number().int());
export const StringList = z.array(z.string());

/** Integer or null column. */
export function intOrNull(row: Row, column: string): number | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`Column "${column}" is not an integer`);
}
