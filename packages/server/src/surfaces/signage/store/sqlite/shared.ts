/**
 * Helpers the signage repositories share: a transaction wrapper (savepoints, so it nests) and
 * JSON columns read back through the protocol's schemas rather than cast.
 */
import * as z from 'zod';
import { type Row, text } from '../../../../core/store/sqlite/statements';
import {
  type Transaction,
  type TransactionDb,
  savepointTransaction,
} from '../../../../core/store/sqlite/transaction';

export type { Transaction };

/** The signage repositories' transaction: savepoints, so it nests (core/store/sqlite/transaction.ts). */
export function transaction(db: TransactionDb): Transaction {
  return savepointTransaction(db, 'signage');
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
