/**
 * Initial schema. Tables are STRICT, snake_case; the repo layer maps to camelCase domain types.
 * Valence/arousal are stored in [-1, 1] (DEAM convention); curves are Float32 BLOBs at 2 Hz.
 */
import type { WritableDB } from '../types';

export default function up(db: WritableDB): void {
  db.exec(`
    CREATE TABLE tracks (
      id            INTEGER PRIMARY KEY,
      path          TEXT NOT NULL UNIQUE,
      content_hash  TEXT NOT NULL UNIQUE,       -- sha256 of the file bytes (dedupe, moved-file detection)
      size_bytes    INTEGER NOT NULL,
      mtime_ms      INTEGER NOT NULL,
      title         TEXT,
      artist        TEXT,
      album         TEXT,
      genre         TEXT,
      year          INTEGER,
      duration_sec  REAL,
      format        TEXT NOT NULL,              -- container/codec as detected (mp3, flac, ogg, opus, wav ...)
      sample_rate   INTEGER,
      channels      INTEGER,
      cover_mime    TEXT,
      cover         BLOB,
      status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing', 'error')),
      error         TEXT,
      added_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE INDEX tracks_title ON tracks (title COLLATE NOCASE);
    CREATE INDEX tracks_artist ON tracks (artist COLLATE NOCASE);
    CREATE INDEX tracks_album ON tracks (album COLLATE NOCASE);
    CREATE INDEX tracks_duration ON tracks (duration_sec);
    CREATE INDEX tracks_added ON tracks (added_at);
    CREATE INDEX tracks_status ON tracks (status, size_bytes);

    -- Substring search over tags and path (trigram FTS5: 'abc' matches anywhere, case-insensitive).
    CREATE VIRTUAL TABLE tracks_fts USING fts5 (
      title, artist, album, path,
      content = 'tracks', content_rowid = 'id', tokenize = 'trigram'
    );
    CREATE TRIGGER tracks_fts_ai AFTER INSERT ON tracks BEGIN
      INSERT INTO tracks_fts (rowid, title, artist, album, path) VALUES (new.id, new.title, new.artist, new.album, new.path);
    END;
    CREATE TRIGGER tracks_fts_ad AFTER DELETE ON tracks BEGIN
      INSERT INTO tracks_fts (tracks_fts, rowid, title, artist, album, path) VALUES ('delete', old.id, old.title, old.artist, old.album, old.path);
    END;
    CREATE TRIGGER tracks_fts_au AFTER UPDATE OF title, artist, album, path ON tracks BEGIN
      INSERT INTO tracks_fts (tracks_fts, rowid, title, artist, album, path) VALUES ('delete', old.id, old.title, old.artist, old.album, old.path);
      INSERT INTO tracks_fts (rowid, title, artist, album, path) VALUES (new.id, new.title, new.artist, new.album, new.path);
    END;

    -- Folders the user imported from: rescan looks for moved files under these.
    CREATE TABLE library_roots (
      path      TEXT PRIMARY KEY,
      added_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;

    CREATE TABLE profiles (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
      created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;

    -- One continuous tracing of one track by one profile.
    CREATE TABLE annotation_sessions (
      id                 INTEGER PRIMARY KEY,
      profile_id         INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      track_id           INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
      study_id           TEXT,                  -- study mode: study and participant ids
      participant_id     TEXT,
      state              TEXT NOT NULL DEFAULT 'recording' CHECK (state IN ('recording', 'complete', 'interrupted', 'discarded')),
      sample_rate_hz     REAL NOT NULL,         -- nominal sampling rate of the pad (>= 30)
      output_latency_sec REAL,                  -- AudioContext.outputLatency at start
      input_device       TEXT,                  -- mouse | touch | keyboard | gamepad | mixed
      excluded           INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),  -- excluded from personalization
      started_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      ended_at           TEXT,
      meta               TEXT NOT NULL DEFAULT '{}'  -- JSON: labels preset, flags, undo history pointers
    ) STRICT;
    CREATE INDEX annotation_sessions_track ON annotation_sessions (track_id, profile_id);
    CREATE INDEX annotation_sessions_profile ON annotation_sessions (profile_id, state);

    -- Raw samples, stamped with the audio clock (seconds into the track). 'layer' supports
    -- punch-in re-recording with undo: a punch-in writes a new layer; undo hides it.
    CREATE TABLE annotation_samples (
      session_id  INTEGER NOT NULL REFERENCES annotation_sessions (id) ON DELETE CASCADE,
      seq         INTEGER NOT NULL,
      t_audio     REAL NOT NULL,
      valence     REAL NOT NULL CHECK (valence BETWEEN -1 AND 1),
      arousal     REAL NOT NULL CHECK (arousal BETWEEN -1 AND 1),
      buttons     INTEGER NOT NULL DEFAULT 0,
      layer       INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (session_id, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX annotation_samples_time ON annotation_samples (session_id, t_audio);

    -- 2 Hz predictions per track x model version x feature config x profile (NULL profile = base model).
    CREATE TABLE predictions (
      id              INTEGER PRIMARY KEY,
      track_id        INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
      content_hash    TEXT NOT NULL,
      model_version   TEXT NOT NULL,
      feature_hash    TEXT NOT NULL,
      profile_id      INTEGER REFERENCES profiles (id) ON DELETE CASCADE,
      step_sec        REAL NOT NULL DEFAULT 0.5,
      n_steps         INTEGER NOT NULL,
      arousal         BLOB NOT NULL,            -- Float32Array, n_steps
      valence         BLOB NOT NULL,            -- Float32Array, n_steps
      mean_arousal    REAL NOT NULL,
      mean_valence    REAL NOT NULL,
      complete        INTEGER NOT NULL DEFAULT 1 CHECK (complete IN (0, 1)),
      created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE UNIQUE INDEX predictions_key ON predictions (track_id, model_version, feature_hash, ifnull(profile_id, 0));
    -- The track list shows the NEWEST complete base-model prediction (largest id, profile_id NULL) per track.
    CREATE INDEX predictions_base_latest ON predictions (track_id, complete, id) WHERE profile_id IS NULL;
    CREATE INDEX predictions_profile ON predictions (profile_id, track_id) WHERE profile_id IS NOT NULL;

    -- Mood index: one row per prediction, so region queries stay fast at 100k tracks.
    -- Each box is the prediction's MEAN point: valence_min = valence_max = mean_valence,
    -- arousal_min = arousal_max = mean_arousal (written with the prediction; deleted with it).
    CREATE VIRTUAL TABLE prediction_mood USING rtree (
      id,                                       -- = predictions.id
      valence_min, valence_max,
      arousal_min, arousal_max
    );

    -- Personal weights (fast params after adaptation) per profile x base model version.
    CREATE TABLE personal_models (
      id             INTEGER PRIMARY KEY,
      profile_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      model_version  TEXT NOT NULL,
      feature_hash   TEXT NOT NULL,
      weights        BLOB NOT NULL,             -- concatenated Float32 data in manifest order
      manifest       TEXT NOT NULL,             -- JSON [{name, shape, dtype, offset}]
      summary        TEXT NOT NULL DEFAULT '{}',-- JSON: sessions used, error before/after
      created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      UNIQUE (profile_id, model_version)
    ) STRICT;

    CREATE TRIGGER predictions_mood_ad AFTER DELETE ON predictions BEGIN
      DELETE FROM prediction_mood WHERE id = old.id;
    END;

    CREATE TABLE jobs (
      id          TEXT PRIMARY KEY,
      kind        TEXT NOT NULL,
      state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
      done        INTEGER NOT NULL DEFAULT 0,
      total       INTEGER,
      message     TEXT,
      payload     TEXT NOT NULL DEFAULT '{}',
      created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE INDEX jobs_updated ON jobs (updated_at);

    CREATE TABLE playlists (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE TABLE playlist_items (
      playlist_id INTEGER NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
      position    INTEGER NOT NULL,
      track_id    INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
      PRIMARY KEY (playlist_id, position)
    ) STRICT;

    CREATE TABLE settings (
      key    TEXT PRIMARY KEY,
      value  TEXT NOT NULL
    ) STRICT;
  `);
}
