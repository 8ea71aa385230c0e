/** SQLite reports repository: each device's latest `playlist_status` per playlist. */
import { protocol } from '@marquee/sdk';
import { type SignageReportRecord, type SignageReportsRepository } from '../types';
import {
  type Row,
  type Statements,
  num,
  settle,
  text,
  textOrNull,
} from '../../../../core/store/sqlite/statements';
import { intOrNull, json, StringList } from './shared';

const StatusValue = protocol.signage.PlaylistReport.shape.status;

export function toReport(row: Row): SignageReportRecord {
  return {
    snNumber: text(row, 'sn_number'),
    playlistId: num(row, 'playlist_id'),
    status: StatusValue.parse(text(row, 'status')),
    totalItems: intOrNull(row, 'total_items'),
    downloadedItems: intOrNull(row, 'downloaded_items'),
    missingFiles: json(row, 'missing_files', StringList),
    error: textOrNull(row, 'error'),
    reportedAt: text(row, 'reported_at'),
  };
}

export function sqliteSignageReports(sql: Statements): SignageReportsRepository {
  return {
    put: (report) =>
      settle(() => {
        sql(
          `INSERT INTO signage_reports (sn_number, playlist_id, status, total_items, downloaded_items,
             missing_files, error, reported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (sn_number, playlist_id) DO UPDATE SET status = excluded.status,
             total_items = excluded.total_items, downloaded_items = excluded.downloaded_items,
             missing_files = excluded.missing_files, error = excluded.error,
             reported_at = excluded.reported_at`,
        ).run(
          report.snNumber,
          report.playlistId,
          report.status,
          report.totalItems,
          report.downloadedItems,
          JSON.stringify(report.missingFiles),
          report.error,
          report.reportedAt,
        );
      }),
    listForDevice: (sn) =>
      settle(() =>
        sql(
          `SELECT sn_number, playlist_id, status, total_items, downloaded_items, missing_files,
             error, reported_at FROM signage_reports WHERE sn_number = ? ORDER BY playlist_id`,
        )
          .all(sn)
          .map(toReport),
      ),
  };
}
