/**
 * The signage tables (versions 100–199 belong to signage; see store/migrations.ts). Devices are
 * keyed by their `sn_number`; commands carry an autoincrement `seq` so a device's queue is
 * delivered in exactly the order the commands were created, across restarts.
 */
import { type Migration } from '../../../../core/store/migrations';

export const signageMigrations: readonly Migration[] = [
  {
    version: 100,
    name: 'signage_devices_media_playlists_commands',
    up: `
      CREATE TABLE signage_media (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        media_name TEXT NOT NULL,
        media_type TEXT NOT NULL CHECK (media_type IN ('image', 'video')),
        mimetype TEXT NOT NULL,
        file_size INTEGER NOT NULL,
        checksum TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE signage_playlists (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        playback_config TEXT NOT NULL CHECK (json_valid(playback_config)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      -- media_id has no ON DELETE: a used media file cannot be deleted.
      CREATE TABLE signage_playlist_items (
        playlist_id INTEGER NOT NULL REFERENCES signage_playlists(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        media_id INTEGER NOT NULL REFERENCES signage_media(id),
        item_order INTEGER NOT NULL,
        layout TEXT NOT NULL CHECK (json_valid(layout)),
        timing TEXT NOT NULL CHECK (json_valid(timing)),
        effects TEXT NOT NULL CHECK (json_valid(effects)),
        n_time_play INTEGER NOT NULL,
        PRIMARY KEY (playlist_id, position)
      ) STRICT;
      CREATE INDEX signage_playlist_items_media ON signage_playlist_items (media_id);
      CREATE TABLE signage_devices (
        sn_number TEXT PRIMARY KEY,
        info TEXT NOT NULL CHECK (json_valid(info)),
        owner_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        registered_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_seen_at TEXT,
        current_playlist_id INTEGER REFERENCES signage_playlists(id) ON DELETE SET NULL,
        ready_playlists TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(ready_playlists)),
        ready_playlists_at TEXT
      ) STRICT;
      CREATE TABLE signage_screens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        position TEXT NOT NULL CHECK (position IN ('front', 'back', 'right', 'left')),
        screen_name TEXT NOT NULL,
        resolution TEXT NOT NULL,
        current_playlist_id INTEGER REFERENCES signage_playlists(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (sn_number, position)
      ) STRICT;
      CREATE TABLE signage_screen_playlists (
        screen_id INTEGER NOT NULL REFERENCES signage_screens(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        playlist_id INTEGER NOT NULL REFERENCES signage_playlists(id) ON DELETE CASCADE,
        PRIMARY KEY (screen_id, position)
      ) STRICT;
      CREATE INDEX signage_screen_playlists_playlist ON signage_screen_playlists (playlist_id);
      -- No foreign key on playlist_id: a device may report a playlist that was deleted since.
      CREATE TABLE signage_reports (
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        playlist_id INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ready', 'downloading', 'partial', 'failed')),
        total_items INTEGER,
        downloaded_items INTEGER,
        missing_files TEXT NOT NULL CHECK (json_valid(missing_files)),
        error TEXT,
        reported_at TEXT NOT NULL,
        PRIMARY KEY (sn_number, playlist_id)
      ) STRICT;
      CREATE TABLE signage_commands (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        command TEXT NOT NULL CHECK (json_valid(command)),
        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked', 'failed', 'expired')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        sent_at TEXT,
        acked_at TEXT,
        error TEXT
      ) STRICT;
      CREATE INDEX signage_commands_device_state ON signage_commands (sn_number, state, seq);
      CREATE INDEX signage_commands_state_expires ON signage_commands (state, expires_at);
      CREATE TABLE signage_screenshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        media_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        file_size INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX signage_screenshots_device ON signage_screenshots (sn_number, id);
    `,
    postgres: `
      CREATE TABLE signage_media (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        media_name TEXT NOT NULL,
        media_type TEXT NOT NULL CHECK (media_type IN ('image', 'video')),
        mimetype TEXT NOT NULL,
        file_size BIGINT NOT NULL,
        checksum TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE signage_playlists (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        playback_config JSON NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE signage_playlist_items (
        playlist_id BIGINT NOT NULL REFERENCES signage_playlists(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        media_id BIGINT NOT NULL REFERENCES signage_media(id),
        item_order INTEGER NOT NULL,
        layout JSON NOT NULL,
        timing JSON NOT NULL,
        effects JSON NOT NULL,
        n_time_play INTEGER NOT NULL,
        PRIMARY KEY (playlist_id, position)
      );
      CREATE INDEX signage_playlist_items_media ON signage_playlist_items (media_id);
      CREATE TABLE signage_devices (
        sn_number TEXT PRIMARY KEY,
        info JSON NOT NULL,
        owner_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
        registered_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_seen_at TEXT,
        current_playlist_id BIGINT REFERENCES signage_playlists(id) ON DELETE SET NULL,
        ready_playlists JSON NOT NULL DEFAULT '[]',
        ready_playlists_at TEXT
      );
      CREATE TABLE signage_screens (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        position TEXT NOT NULL CHECK (position IN ('front', 'back', 'right', 'left')),
        screen_name TEXT NOT NULL,
        resolution TEXT NOT NULL,
        current_playlist_id BIGINT REFERENCES signage_playlists(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (sn_number, position)
      );
      CREATE TABLE signage_screen_playlists (
        screen_id BIGINT NOT NULL REFERENCES signage_screens(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        playlist_id BIGINT NOT NULL REFERENCES signage_playlists(id) ON DELETE CASCADE,
        PRIMARY KEY (screen_id, position)
      );
      CREATE INDEX signage_screen_playlists_playlist ON signage_screen_playlists (playlist_id);
      CREATE TABLE signage_reports (
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        playlist_id BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ready', 'downloading', 'partial', 'failed')),
        total_items INTEGER,
        downloaded_items INTEGER,
        missing_files JSON NOT NULL,
        error TEXT,
        reported_at TEXT NOT NULL,
        PRIMARY KEY (sn_number, playlist_id)
      );
      CREATE TABLE signage_commands (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        command JSON NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked', 'failed', 'expired')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        sent_at TEXT,
        acked_at TEXT,
        error TEXT
      );
      CREATE INDEX signage_commands_device_state ON signage_commands (sn_number, state, seq);
      CREATE INDEX signage_commands_state_expires ON signage_commands (state, expires_at);
      CREATE TABLE signage_screenshots (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        sn_number TEXT NOT NULL REFERENCES signage_devices(sn_number) ON DELETE CASCADE,
        media_id BIGINT NOT NULL,
        path TEXT NOT NULL,
        file_size BIGINT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX signage_screenshots_device ON signage_screenshots (sn_number, id);
    `,
  },
  {
    // Core migration 3 turned the former `user` accounts into operators; the ones that own a
    // device are signage TVs, which now get the `device` role and nothing more.
    version: 101,
    name: 'signage_device_owners_get_device_role',
    up: `
      UPDATE users SET role = 'device'
      WHERE role = 'operator'
        AND id IN (SELECT owner_user_id FROM signage_devices WHERE owner_user_id IS NOT NULL);
    `,
    // Plain SQL both engines read alike.
    postgres: `
      UPDATE users SET role = 'device'
      WHERE role = 'operator'
        AND id IN (SELECT owner_user_id FROM signage_devices WHERE owner_user_id IS NOT NULL);
    `,
  },
  {
    // Pairing: codes waiting for an operator, and the serial each device account is bound to.
    // A binding's serial need not be registered yet (the screen registers after it is paired).
    version: 102,
    name: 'signage_pairings_device_accounts',
    up: `
      CREATE TABLE signage_pairings (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,
        sn_hint TEXT,
        hint TEXT,
        ip TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        approved_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        approved_sn TEXT
      ) STRICT;
      CREATE INDEX signage_pairings_expires ON signage_pairings (expires_at);
      CREATE TABLE signage_device_accounts (
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        sn_number TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        paired_at TEXT NOT NULL
      ) STRICT;
    `,
    postgres: `
      CREATE TABLE signage_pairings (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,
        sn_hint TEXT,
        hint TEXT,
        ip TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        approved_user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
        approved_sn TEXT
      );
      CREATE INDEX signage_pairings_expires ON signage_pairings (expires_at);
      CREATE TABLE signage_device_accounts (
        user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        sn_number TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        paired_at TEXT NOT NULL
      );
    `,
  },
  {
    // Proof of play: one row per (device, play id the device generated), so a batch sent again
    // counts once. `seq` orders rows by arrival for the row cap; `started_at` (UTC ISO text,
    // compared as text) for retention and the period filters. No foreign key to the device:
    // plays stay for accounting after a screen is removed.
    version: 103,
    name: 'signage_plays',
    up: `
      CREATE TABLE signage_plays (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        sn_number TEXT NOT NULL,
        play_id TEXT NOT NULL,
        playlist_id INTEGER NOT NULL,
        media_id INTEGER NOT NULL,
        zone TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        completed INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (sn_number, play_id)
      ) STRICT;
      CREATE INDEX signage_plays_device_started ON signage_plays (sn_number, started_at);
      CREATE INDEX signage_plays_started ON signage_plays (started_at);
    `,
    // `started_at` compares and sorts in byte order (COLLATE "C"), as SQLite's text does.
    postgres: `
      CREATE TABLE signage_plays (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        sn_number TEXT NOT NULL,
        play_id TEXT NOT NULL,
        playlist_id BIGINT NOT NULL,
        media_id BIGINT NOT NULL,
        zone TEXT NOT NULL,
        started_at TEXT COLLATE "C" NOT NULL,
        ended_at TEXT NOT NULL,
        duration_ms BIGINT NOT NULL,
        completed INTEGER NOT NULL CHECK (completed IN (0, 1)),
        received_at TEXT NOT NULL,
        UNIQUE (sn_number, play_id)
      );
      CREATE INDEX signage_plays_device_started ON signage_plays (sn_number, started_at);
      CREATE INDEX signage_plays_started ON signage_plays (started_at);
    `,
  },
  {
    // A device's latest health report (the `health` socket message, JSON) and when it arrived.
    version: 104,
    name: 'signage_device_health',
    up: `
      ALTER TABLE signage_devices ADD COLUMN health TEXT;
      ALTER TABLE signage_devices ADD COLUMN health_at TEXT;
    `,
    postgres: `
      ALTER TABLE signage_devices ADD COLUMN health JSON;
      ALTER TABLE signage_devices ADD COLUMN health_at TEXT;
    `,
  },
  {
    // Day-parting: a playlist's schedule windows (JSON, protocol.signage.PlaylistSchedule);
    // NULL for a playlist that plays whenever it is the screen's playlist.
    version: 105,
    name: 'signage_playlist_schedule',
    up: `
      ALTER TABLE signage_playlists ADD COLUMN schedule TEXT
        CHECK (schedule IS NULL OR json_valid(schedule));
    `,
    postgres: `
      ALTER TABLE signage_playlists ADD COLUMN schedule JSON;
    `,
  },
];
