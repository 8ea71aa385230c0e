/**
 * PostgreSQL faults for tests: a pool whose connections fail chosen statements (before sending
 * them, or after the server ran them, as when the answer is lost), and real faults made through a
 * second connection: a backend terminated with `pg_terminate_backend`.
 */
import pg from 'pg';

/** A `pg` error as the driver builds it from the server's ErrorResponse. */
export function pgError(code: string, message: string): Error & { code: string } {
  return Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });
}

interface Fault {
  readonly pattern: RegExp;
  /** Undefined: the statement runs (after `before`). */
  readonly error?: Error;
  /** Done first, given the connection's backend pid (a real fault made from outside). */
  readonly before?: (pid: number) => Promise<void>;
  /** Run the statement on the server first, then fail (the answer was lost). */
  readonly afterRunning: boolean;
}

export interface FaultyPool {
  /** Hand this to `postgresEngine`: a pool whose connections obey the faults. */
  readonly pool: pg.Pool;
  /** Every statement the connections were asked to run, in order. */
  readonly executed: string[];
  /** The next statement matching `pattern` fails with `error`. */
  failNext(pattern: RegExp, error: Error, options?: { afterRunning?: boolean }): void;
  /** Before the next statement matching `pattern` is sent, `action` runs with its backend pid. */
  beforeNext(pattern: RegExp, action: (pid: number) => Promise<void>): void;
  /** The backend pids of the connections handed out, newest last. */
  readonly backends: number[];
}

/**
 * Wraps `pool` so that its checked-out connections fail the statements a test asks for; with
 * `inPlace`, changes `pool` itself (a running server's).
 */
export function faultyPool(pool: pg.Pool, options: { inPlace?: boolean } = {}): FaultyPool {
  const faults: Fault[] = [];
  const executed: string[] = [];
  const backends: number[] = [];
  const wrap = (client: pg.PoolClient, pid: number): pg.PoolClient =>
    new Proxy(client, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
        return async (text: string, values?: unknown[]) => {
          executed.push(text);
          const index = faults.findIndex((fault) => fault.pattern.test(text));
          const fault = index === -1 ? undefined : faults.splice(index, 1)[0];
          if (fault?.before !== undefined) await fault.before(pid);
          if (fault?.error !== undefined && !fault.afterRunning) throw fault.error;
          const result = await target.query(text, values);
          if (fault?.error !== undefined) throw fault.error;
          return result;
        };
      },
    });
  const original = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient>;
  const checkOut = async () => {
    const client = await original();
    const pid = (client as unknown as { processID?: number }).processID;
    if (typeof pid !== 'number') throw new Error('the connection has no backend pid');
    backends.push(pid);
    return wrap(client, pid);
  };
  // `pool.query` checks out with a callback: those connections are left as they are.
  const connect = (callback?: unknown) =>
    callback === undefined ? checkOut() : original(callback);
  let faulty = pool;
  if (options.inPlace === true) {
    // A running server's pool: its engine holds this very object.
    Object.assign(pool, { connect });
  } else {
    faulty = new Proxy(pool, {
      get: (target, key, receiver) =>
        key === 'connect' ? connect : (Reflect.get(target, key, receiver) as unknown),
    });
  }
  return {
    pool: faulty,
    executed,
    backends,
    failNext(pattern, error, options = {}) {
      faults.push({ pattern, error, afterRunning: options.afterRunning === true });
    },
    beforeNext(pattern, action) {
      faults.push({ pattern, before: action, afterRunning: false });
    },
  };
}

/** Runs one statement on a connection of its own to `url`. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Terminates backend `pid` as an administrator would (SQLSTATE 57P01 on its connection). */
export async function terminateBackend(url: string, pid: number): Promise<void> {
  const [row] = await adminQuery<{ done: boolean }>(
    url,
    'SELECT pg_terminate_backend($1) AS done',
    [pid],
  );
  if (row?.done !== true) throw new Error(`backend ${pid} was not terminated`);
}

/** Sessions of database `url` left inside a transaction (`idle in transaction` and aborted). */
export async function sessionsInTransaction(url: string): Promise<number> {
  const [row] = await adminQuery<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND state IN ('idle in transaction', 'idle in transaction (aborted)')`,
  );
  return row?.n ?? 0;
}
