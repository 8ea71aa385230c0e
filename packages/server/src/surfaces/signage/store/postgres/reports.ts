/** PostgreSQL reports repository: each device's latest `playlist_status` per playlist. */
import { type SignageReportsRepository } from '../types';
import { type Queryable, rows } from '../../../../core/store/postgres/engine';
import { toReport } from '../sqlite/reports';

export function postgresSignageReports(pool: Queryable): SignageReportsRepository {
  return {
    put: async (report) => {
      await pool.query(
        `INSERT INTO signage_reports (sn_number, playlist_id, status, total_items, downloaded_items,
           missing_files, error, reported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (sn_number, playlist_id) DO UPDATE SET status = excluded.status,
           total_items = excluded.total_items, downloaded_items = excluded.downloaded_items,
           missing_files = excluded.missing_files, error = excluded.error,
           reported_at = excluded.reported_at`,
        [
          report.snNumber,
          report.playlistId,
          report.status,
          report.totalItems,
          report.downloadedItems,
          JSON.stringify(report.missingFiles),
          report.error,
          report.reportedAt,
        ],
      );
    },
    listForDevice: async (sn) =>
      (
        await rows(
          pool,
          `SELECT sn_number, playlist_id, status, total_items, downloaded_items, missing_files,
             error, reported_at FROM signage_reports WHERE sn_number = $1 ORDER BY playlist_id`,
          [sn],
        )
      ).map(toReport),
  };
}
