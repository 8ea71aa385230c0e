/**
 * PostgreSQL commands repository: `seq` (an identity column) is the delivery order, and every
 * state change is guarded by the current state in the UPDATE itself, so a command is marked sent,
 * acked or expired at most once even when two instances race. `createMany` first locks the rows
 * of the devices it writes to: the queued count and the inserts are then one step for each
 * device, as SQLite's single writer makes them, so concurrent calls cannot overshoot the bound.
 * `applyStateChanges` runs the same guarded statements as the single-row methods, in array order,
 * on one connection inside one transaction.
 */
import { protocol } from '@marquee/sdk';
import {
  type SignageCommandRecord,
  type SignageCommandsRepository,
  type SignageStateChange,
  type SignageStateChangeResult,
} from '../types';
import {
  type PostgresEngine,
  type Queryable,
  changed,
  first,
  rows,
} from '../../../../core/store/postgres/engine';
import { num, text } from '../../../../core/store/sqlite/statements';
import { COLUMNS, toCommand } from '../sqlite/commands';

export function postgresSignageCommands(engine: PostgresEngine): SignageCommandsRepository {
  const { pool } = engine;
  const queuedCounts = async (q: Queryable, sns: readonly string[]) =>
    new Map(
      (
        await rows(
          q,
          `SELECT sn_number, count(*) AS n FROM signage_commands
           WHERE state = 'queued' AND sn_number = ANY($1::text[]) GROUP BY sn_number`,
          [[...sns]],
        )
      ).map((row) => [text(row, 'sn_number'), num(row, 'n')]),
    );
  const list = async (where: string, values: unknown[], order = 'seq') =>
    (
      await rows(
        pool,
        `SELECT ${COLUMNS} FROM signage_commands WHERE ${where} ORDER BY ${order}`,
        values,
      )
    ).map(toCommand);
  const markSent = async (q: Queryable, id: string, at: string) =>
    (await changed(
      q,
      "UPDATE signage_commands SET state = 'sent', sent_at = $1 WHERE id = $2 AND state = 'queued'",
      [at, id],
    )) > 0;
  const markResent = async (q: Queryable, id: string, at: string) =>
    (await changed(q, "UPDATE signage_commands SET sent_at = $1 WHERE id = $2 AND state = 'sent'", [
      at,
      id,
    ])) > 0;
  const requeue = async (q: Queryable, id: string) =>
    (await changed(
      q,
      "UPDATE signage_commands SET state = 'queued', sent_at = NULL WHERE id = $1 AND state = 'sent'",
      [id],
    )) > 0;
  /** sent → settled; with `sn`, only a command of that device. The settled row, if any. */
  const settleOne = async (
    q: Queryable,
    id: string,
    sn: string | null,
    outcome: { ok: boolean; expired?: boolean; error: string | null },
    at: string,
  ): Promise<SignageCommandRecord | undefined> => {
    const row = await first(
      q,
      `UPDATE signage_commands SET state = $1, acked_at = $2, error = $3
       WHERE id = $4 AND state = 'sent' AND ($5::text IS NULL OR sn_number = $5)
       RETURNING ${COLUMNS}`,
      [
        outcome.ok ? 'acked' : outcome.expired === true ? 'expired' : 'failed',
        at,
        outcome.error,
        id,
        sn,
      ],
    );
    return row === undefined ? undefined : toCommand(row);
  };
  const apply = async (
    q: Queryable,
    change: SignageStateChange,
  ): Promise<SignageStateChangeResult> => {
    switch (change.kind) {
      case 'sent':
        return { changed: await markSent(q, change.id, change.at) };
      case 'resent':
        return { changed: await markResent(q, change.id, change.at) };
      case 'requeue':
        return { changed: await requeue(q, change.id) };
      case 'settle': {
        const command = await settleOne(q, change.id, change.snNumber, change.outcome, change.at);
        return command === undefined ? { changed: false } : { changed: true, command };
      }
      case 'touch':
        return {
          changed:
            (await changed(q, 'UPDATE signage_devices SET last_seen_at = $1 WHERE sn_number = $2', [
              change.at,
              change.snNumber,
            ])) > 0,
        };
      case 'readyPlaylists':
        return {
          changed:
            (await changed(
              q,
              `UPDATE signage_devices SET ready_playlists = $1, ready_playlists_at = $2
               WHERE sn_number = $3`,
              [JSON.stringify(change.playlistIds), change.at, change.snNumber],
            )) > 0,
        };
    }
  };
  return {
    applyStateChanges: async (list) => {
      if (list.length === 0) return [];
      return engine.transaction(async (client) => {
        // The device rows this batch writes are locked first, in the order createMany locks them,
        // so a batch and a createMany on another connection cannot deadlock over them.
        const devices = [
          ...new Set(
            list.flatMap((c) =>
              c.kind === 'touch' || c.kind === 'readyPlaylists' ? [c.snNumber] : [],
            ),
          ),
        ];
        if (devices.length > 0) {
          await client.query(
            `SELECT sn_number FROM signage_devices WHERE sn_number = ANY($1::text[])
             ORDER BY sn_number COLLATE "C" FOR UPDATE`,
            [devices],
          );
        }
        const results: SignageStateChangeResult[] = [];
        for (const change of list) results.push(await apply(client, change));
        return results;
      });
    },
    createMany: (commands, maxQueuedPerDevice = Infinity) =>
      engine.transaction(async (client) => {
        const devices = [...new Set(commands.map((c) => c.snNumber))];
        // In one order everywhere, so two calls locking overlapping devices cannot deadlock.
        await client.query(
          `SELECT sn_number FROM signage_devices WHERE sn_number = ANY($1::text[])
           ORDER BY sn_number COLLATE "C" FOR UPDATE`,
          [devices],
        );
        const queued = await queuedCounts(client, devices);
        const kept = commands.filter((command) => {
          const held = queued.get(command.snNumber) ?? 0;
          if (held >= maxQueuedPerDevice) return false;
          queued.set(command.snNumber, held + 1);
          return true;
        });
        if (kept.length === 0) return [];
        // One statement for the batch; rows are inserted (and numbered) in array order.
        const inserted = await rows(
          client,
          `INSERT INTO signage_commands (id, sn_number, command, state, created_at, expires_at)
           SELECT id, sn, command::json, 'queued', created, expires
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             WITH ORDINALITY AS t(id, sn, command, created, expires, n)
           ORDER BY n
           RETURNING seq, ${COLUMNS}`,
          [
            kept.map((c) => c.id),
            kept.map((c) => c.snNumber),
            kept.map((c) => JSON.stringify(c.command)),
            kept.map((c) => c.createdAt),
            kept.map((c) => c.expiresAt),
          ],
        );
        return inserted.sort((a, b) => num(a, 'seq') - num(b, 'seq')).map(toCommand);
      }),
    find: async (id) => {
      const row = await first(pool, `SELECT ${COLUMNS} FROM signage_commands WHERE id = $1`, [id]);
      return row === undefined ? undefined : toCommand(row);
    },
    listForDevice: (sn, { state, limit }) =>
      list(
        'sn_number = $1 AND ($2::text IS NULL OR state = $2)',
        [sn, state ?? null, limit],
        'seq DESC LIMIT $3',
      ),
    queued: (sn) => list(`sn_number = $1 AND state = 'queued'`, [sn]),
    unsettled: (sn) => list(`sn_number = $1 AND state IN ('queued', 'sent')`, [sn]),
    countByState: async () =>
      new Map(
        (await rows(pool, 'SELECT state, count(*) AS n FROM signage_commands GROUP BY state')).map(
          (row) => [protocol.signage.CommandState.parse(text(row, 'state')), num(row, 'n')],
        ),
      ),
    countQueuedFor: (sns) => queuedCounts(pool, sns),
    markSent: (id, at) => markSent(pool, id, at),
    markResent: (id, at) => markResent(pool, id, at),
    requeue: (id) => requeue(pool, id),
    settle: (id, outcome, at) => settleOne(pool, id, null, outcome, at),
    expireDue: (at) =>
      changed(
        pool,
        "UPDATE signage_commands SET state = 'expired' WHERE state = 'queued' AND expires_at <= $1",
        [at],
      ),
  };
}
