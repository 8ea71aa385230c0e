/**
 * SQLite commands repository. `seq` (autoincrement) is the delivery order; state changes are
 * guarded by the current state in the UPDATE itself, so a command is marked sent, acked or
 * expired at most once even when two paths race.
 */
import { protocol } from '@marquee/sdk';
import {
  type SignageCommandRecord,
  type SignageCommandsRepository,
  type SignageStateChange,
  type SignageStateChangeResult,
} from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
  textOrNull,
} from '../../../../core/store/sqlite/statements';
import type { DeviceStateWrites } from './devices';
import { json, type Transaction } from './shared';

export const COLUMNS =
  'id, sn_number, command, state, created_at, expires_at, sent_at, acked_at, error';

export function toCommand(row: Row): SignageCommandRecord {
  return {
    id: text(row, 'id'),
    snNumber: text(row, 'sn_number'),
    command: json(row, 'command', protocol.signage.ServerAction),
    state: protocol.signage.CommandState.parse(text(row, 'state')),
    createdAt: text(row, 'created_at'),
    expiresAt: text(row, 'expires_at'),
    sentAt: textOrNull(row, 'sent_at'),
    ackedAt: textOrNull(row, 'acked_at'),
    error: textOrNull(row, 'error'),
  };
}

export function sqliteSignageCommands(
  sql: Statements,
  tx: Transaction,
  devices: DeviceStateWrites,
): SignageCommandsRepository {
  const find = (id: string) => {
    const row = sql(`SELECT ${COLUMNS} FROM signage_commands WHERE id = ?`).get(id);
    return row === undefined ? undefined : toCommand(row);
  };
  /** Queued commands per device; one grouped query over the (sn_number, state, seq) index. */
  const queuedCounts = (sns: readonly string[]): Map<string, number> => {
    const rows = sql(
      `SELECT sn_number, count(*) AS n FROM signage_commands
       WHERE state = 'queued' AND sn_number IN (SELECT value FROM json_each(?))
       GROUP BY sn_number`,
    ).all(JSON.stringify(sns));
    return new Map(rows.map((row) => [text(row, 'sn_number'), num(row, 'n')]));
  };
  const markSent = (id: string, at: string) =>
    changes(
      sql(
        "UPDATE signage_commands SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'queued'",
      ).run(at, id),
    ) > 0;
  const markResent = (id: string, at: string) =>
    changes(
      sql("UPDATE signage_commands SET sent_at = ? WHERE id = ? AND state = 'sent'").run(at, id),
    ) > 0;
  const requeue = (id: string) =>
    changes(
      sql(
        "UPDATE signage_commands SET state = 'queued', sent_at = NULL WHERE id = ? AND state = 'sent'",
      ).run(id),
    ) > 0;
  /** sent → settled; with `sn`, only a command of that device. The settled row, if any. */
  const settleOne = (
    id: string,
    sn: string | null,
    outcome: { ok: boolean; expired?: boolean; error: string | null },
    at: string,
  ): SignageCommandRecord | undefined => {
    const row = sql(
      `UPDATE signage_commands SET state = ?, acked_at = ?, error = ?
       WHERE id = ? AND state = 'sent' AND (?5 IS NULL OR sn_number = ?5) RETURNING ${COLUMNS}`,
    ).get(
      outcome.ok ? 'acked' : outcome.expired === true ? 'expired' : 'failed',
      at,
      outcome.error,
      id,
      sn,
    );
    return row === undefined ? undefined : toCommand(row);
  };
  const apply = (change: SignageStateChange): SignageStateChangeResult => {
    switch (change.kind) {
      case 'sent':
        return { changed: markSent(change.id, change.at) };
      case 'resent':
        return { changed: markResent(change.id, change.at) };
      case 'requeue':
        return { changed: requeue(change.id) };
      case 'settle': {
        const command = settleOne(change.id, change.snNumber, change.outcome, change.at);
        return command === undefined ? { changed: false } : { changed: true, command };
      }
      case 'touch':
        return { changed: devices.touch(change.snNumber, change.at) };
      case 'readyPlaylists':
        return {
          changed: devices.setReadyPlaylists(change.snNumber, change.playlistIds, change.at),
        };
    }
  };
  return {
    applyStateChanges: (list) => settle(() => tx(() => list.map(apply))),
    createMany: (commands, maxQueuedPerDevice = Infinity) =>
      settle(() =>
        tx(() => {
          const queued = queuedCounts([...new Set(commands.map((c) => c.snNumber))]);
          const created: SignageCommandRecord[] = [];
          for (const command of commands) {
            const held = queued.get(command.snNumber) ?? 0;
            if (held >= maxQueuedPerDevice) continue;
            queued.set(command.snNumber, held + 1);
            sql(
              `INSERT INTO signage_commands (id, sn_number, command, state, created_at, expires_at)
               VALUES (?, ?, ?, 'queued', ?, ?)`,
            ).run(
              command.id,
              command.snNumber,
              JSON.stringify(command.command),
              command.createdAt,
              command.expiresAt,
            );
            // The row is what was given (a broadcast stores thousands: no read back and parse).
            created.push({ ...command, state: 'queued', sentAt: null, ackedAt: null, error: null });
          }
          return created;
        }),
      ),
    find: (id) => settle(() => find(id)),
    listForDevice: (sn, { state, limit }) =>
      settle(() =>
        (state === undefined
          ? sql(
              `SELECT ${COLUMNS} FROM signage_commands WHERE sn_number = ? ORDER BY seq DESC LIMIT ?`,
            ).all(sn, limit)
          : sql(
              `SELECT ${COLUMNS} FROM signage_commands WHERE sn_number = ? AND state = ?
               ORDER BY seq DESC LIMIT ?`,
            ).all(sn, state, limit)
        ).map(toCommand),
      ),
    queued: (sn) =>
      settle(() =>
        sql(
          `SELECT ${COLUMNS} FROM signage_commands WHERE sn_number = ? AND state = 'queued' ORDER BY seq`,
        )
          .all(sn)
          .map(toCommand),
      ),
    unsettled: (sn) =>
      settle(() =>
        sql(
          `SELECT ${COLUMNS} FROM signage_commands
           WHERE sn_number = ? AND state IN ('queued', 'sent') ORDER BY seq`,
        )
          .all(sn)
          .map(toCommand),
      ),
    countByState: () =>
      settle(() => {
        const rows = sql('SELECT state, count(*) AS n FROM signage_commands GROUP BY state').all();
        return new Map(
          rows.map((row) => [
            protocol.signage.CommandState.parse(text(row, 'state')),
            num(row, 'n'),
          ]),
        );
      }),
    countQueuedFor: (sns) => settle(() => queuedCounts(sns)),
    markSent: (id, at) => settle(() => markSent(id, at)),
    markResent: (id, at) => settle(() => markResent(id, at)),
    requeue: (id) => settle(() => requeue(id)),
    settle: (id, outcome, at) => settle(() => settleOne(id, null, outcome, at)),
    expireDue: (at) =>
      settle(() =>
        changes(
          sql(
            "UPDATE signage_commands SET state = 'expired' WHERE state = 'queued' AND expires_at <= ?",
          ).run(at),
        ),
      ),
  };
}
