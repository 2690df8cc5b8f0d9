/**
 * Annotation studio additions (reserved version 2, owner: annotation):
 * - `annotation_sessions.uid`: a stable id that survives export/import (re-importing the same
 *   export never duplicates a session);
 * - study mode: `studies` (stimuli, order mode, instructions, practice, breaks, end link as JSON
 *   config) and `study_participants` (each participant annotates as their own profile, with the
 *   stimulus order fixed at enrolment).
 */
import type { WritableDB } from '../types';

export default function up(db: WritableDB): void {
  db.exec(`
    ALTER TABLE annotation_sessions ADD COLUMN uid TEXT;
    UPDATE annotation_sessions SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX annotation_sessions_uid ON annotation_sessions (uid);
    CREATE INDEX annotation_sessions_study ON annotation_sessions (study_id, participant_id) WHERE study_id IS NOT NULL;

    CREATE TABLE studies (
      id          TEXT PRIMARY KEY,             -- slug chosen by the researcher
      name        TEXT NOT NULL,
      seed        INTEGER NOT NULL,             -- randomised orders derive from it (reproducible)
      config      TEXT NOT NULL DEFAULT '{}',   -- JSON StudyConfig (stimuli, order, instructions ...)
      created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;

    CREATE TABLE study_participants (
      study_id        TEXT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
      participant_id  TEXT NOT NULL,
      enrol_index     INTEGER NOT NULL,         -- 0-based enrolment order (Latin square row)
      profile_id      INTEGER NOT NULL REFERENCES profiles (id),
      stimulus_order  TEXT NOT NULL,            -- JSON array of track ids
      position        INTEGER NOT NULL DEFAULT 0,  -- index of the next stimulus to annotate
      state           TEXT NOT NULL DEFAULT 'enrolled' CHECK (state IN ('enrolled', 'running', 'finished', 'withdrawn')),
      started_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      finished_at     TEXT,
      PRIMARY KEY (study_id, participant_id),
      UNIQUE (study_id, enrol_index)
    ) STRICT;
  `);
}
