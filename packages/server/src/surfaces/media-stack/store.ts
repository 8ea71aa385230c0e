/**
 * The media-stack surface's own tables (versions 450–469 of the 400–499 block; see
 * core/store/migrations.ts): notifications, which are the stack's (a service went down, a
 * download finished) and so shared by every reader, and who has read which. A reader is a user
 * (`user:<id>`) or a display token (`display:<id>`). The table is bounded: the daily cleanup
 * removes notifications older than the retention and keeps at most `MAX_NOTIFICATIONS`.
 */
import type { protocol } from '@marquee/sdk';
import { type SqliteEngine, type SurfaceStore, sqliteOnly } from '../../core/store';
import type { Migration } from '../../core/store/migrations';
import { num, settle, text, textOrNull, type Row } from '../../core/store/sqlite/statements';

type NotificationType = protocol.mediaStack.NotificationType;
type NotificationPriority = protocol.mediaStack.NotificationPriority;

/** Notifications kept at most (the oldest go first at cleanup). */
export const MAX_NOTIFICATIONS = 10_000;

export const mediaStackMigrations: readonly Migration[] = [
  {
    version: 450,
    name: 'media_stack_notifications',
    up: `
      CREATE TABLE media_stack_notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'critical')),
        data TEXT CHECK (data IS NULL OR json_valid(data)),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX media_stack_notifications_type ON media_stack_notifications (type, id);
      CREATE TABLE media_stack_notification_reads (
        notification_id INTEGER NOT NULL REFERENCES media_stack_notifications(id) ON DELETE CASCADE,
        reader TEXT NOT NULL,
        read_at TEXT NOT NULL,
        PRIMARY KEY (reader, notification_id)
      ) STRICT;
      CREATE INDEX media_stack_notification_reads_id ON media_stack_notification_reads (notification_id);
    `,
  },
];

export interface NotificationRecord {
  readonly id: number;
  readonly type: NotificationType;
  readonly title: string;
  readonly message: string;
  readonly priority: NotificationPriority;
  readonly data: Record<string, unknown> | undefined;
  readonly createdAt: string;
  /** When this reader read it; undefined while unread. */
  readonly readAt: string | undefined;
}

export interface NewNotification {
  readonly type: NotificationType;
  readonly title: string;
  readonly message: string;
  readonly priority: NotificationPriority;
  readonly data?: Record<string, unknown>;
  readonly createdAt: string;
}

export interface NotificationQuery {
  readonly reader: string;
  readonly unreadOnly: boolean;
  readonly types: readonly NotificationType[] | undefined;
  readonly limit: number;
}

export interface NotificationCounts {
  readonly total: number;
  readonly unread: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly byPriority: Readonly<Record<string, number>>;
}

export interface MediaStackRepositories {
  create(notification: NewNotification): Promise<NotificationRecord>;
  /** Newest first. */
  list(query: NotificationQuery): Promise<NotificationRecord[]>;
  /** Counts over every notification, as `reader` sees them. */
  counts(reader: string): Promise<NotificationCounts>;
  find(id: number, reader: string): Promise<NotificationRecord | undefined>;
  /** Marks it read for `reader` (keeping the first time); false when there is no such notification. */
  markRead(id: number, reader: string, at: string): Promise<boolean>;
  /** Removes notifications created before `before` and all but the newest `keep`; returns how many. */
  cleanup(before: string, keep: number): Promise<number>;
  /** Times one trivial query: the database check of `status/database`. */
  ping(): Promise<{ version: string }>;
}

const SELECT = `SELECT n.id, n.type, n.title, n.message, n.priority, n.data, n.created_at, r.read_at
  FROM media_stack_notifications n
  LEFT JOIN media_stack_notification_reads r ON r.notification_id = n.id AND r.reader = ?`;

function toRecord(row: Row): NotificationRecord {
  const data = textOrNull(row, 'data');
  const readAt = textOrNull(row, 'read_at');
  return {
    id: num(row, 'id'),
    type: text(row, 'type') as NotificationType,
    title: text(row, 'title'),
    message: text(row, 'message'),
    priority: text(row, 'priority') as NotificationPriority,
    data: data === null ? undefined : (JSON.parse(data) as Record<string, unknown>),
    createdAt: text(row, 'created_at'),
    readAt: readAt ?? undefined,
  };
}

export function sqliteMediaStack({ sql }: SqliteEngine): MediaStackRepositories {
  return {
    create: (n) =>
      settle(() => {
        const row = sql(
          `INSERT INTO media_stack_notifications (type, title, message, priority, data, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
        ).get(
          n.type,
          n.title,
          n.message,
          n.priority,
          n.data === undefined ? null : JSON.stringify(n.data),
          n.createdAt,
        );
        if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
        return { ...n, id: num(row, 'id'), data: n.data, readAt: undefined };
      }),
    list: (q) =>
      settle(() => {
        const where: string[] = [];
        const args: (string | number)[] = [q.reader];
        if (q.unreadOnly) where.push('r.read_at IS NULL');
        if (q.types !== undefined) {
          where.push(`n.type IN (${q.types.map(() => '?').join(', ')})`);
          args.push(...q.types);
        }
        args.push(q.limit);
        const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
        return sql(`${SELECT} ${filter} ORDER BY n.id DESC LIMIT ?`)
          .all(...args)
          .map(toRecord);
      }),
    counts: (reader) =>
      settle(() => {
        const rows = sql(
          `SELECT n.type, n.priority, COUNT(*) AS total, COUNT(*) - COUNT(r.read_at) AS unread
           FROM media_stack_notifications n
           LEFT JOIN media_stack_notification_reads r ON r.notification_id = n.id AND r.reader = ?
           GROUP BY n.type, n.priority`,
        ).all(reader);
        let total = 0;
        let unread = 0;
        const byType: Record<string, number> = {};
        const byPriority: Record<string, number> = {};
        for (const row of rows) {
          const count = num(row, 'total');
          total += count;
          unread += num(row, 'unread');
          const type = text(row, 'type');
          const priority = text(row, 'priority');
          byType[type] = (byType[type] ?? 0) + count;
          byPriority[priority] = (byPriority[priority] ?? 0) + count;
        }
        return { total, unread, byType, byPriority };
      }),
    find: (id, reader) =>
      settle(() => {
        const row = sql(`${SELECT} WHERE n.id = ?`).get(reader, id);
        return row === undefined ? undefined : toRecord(row);
      }),
    markRead: (id, reader, at) =>
      settle(() => {
        const exists = sql('SELECT 1 AS one FROM media_stack_notifications WHERE id = ?').get(id);
        if (exists === undefined) return false;
        sql(
          `INSERT INTO media_stack_notification_reads (notification_id, reader, read_at)
           VALUES (?, ?, ?) ON CONFLICT (reader, notification_id) DO NOTHING`,
        ).run(id, reader, at);
        return true;
      }),
    cleanup: (before, keep) =>
      settle(() => {
        const old = sql('DELETE FROM media_stack_notifications WHERE created_at < ?').run(before);
        const excess = sql(
          `DELETE FROM media_stack_notifications WHERE id <= (
             SELECT id FROM media_stack_notifications ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        ).run(keep);
        return Number(old.changes) + Number(excess.changes);
      }),
    ping: () =>
      settle(() => {
        const row = sql('SELECT sqlite_version() AS version').get();
        return { version: row === undefined ? 'unknown' : text(row, 'version') };
      }),
  };
}

export const mediaStackStore: SurfaceStore<MediaStackRepositories> = {
  migrations: mediaStackMigrations,
  open: (engine) => sqliteMediaStack(sqliteOnly(engine)),
};
