/**
 * Annotation constants, in one place (B3). Provenance in each comment.
 */

/**
 * Width of one label bin in seconds: 2 Hz, the DEAM convention (Aljanaki, Yang & Soleymani 2017,
 * "Developing a benchmark for emotional analysis of music", PLoS ONE: dynamic annotations were
 * averaged over 500 ms). The model (DSAML) predicts one value per 0.5 s step as well.
 */
export const BIN_SEC = 0.5;

/** Lowest accepted pad sampling rate (issue 6: "a fixed rate of at least 30 Hz"). */
export const MIN_SAMPLE_RATE_HZ = 30;
/** Highest accepted pad sampling rate (bounds batch sizes; 240 Hz covers fast gamepad polling). */
export const MAX_SAMPLE_RATE_HZ = 240;

/** The renderer flushes samples to the main process at least this often (issue 6: <= 500 ms). */
export const MAX_BATCH_MS = 500;
/**
 * Most samples one batch may carry: 500 ms at the maximum rate, doubled for a batch that was
 * re-sent together with its successor after a transport hiccup.
 */
export const MAX_BATCH_SAMPLES = 2 * Math.ceil((MAX_SAMPLE_RATE_HZ * MAX_BATCH_MS) / 1000);

/** Completeness: first sample later than this many seconds into the track is a "late start". */
export const LATE_START_SEC = 2;
/** Completeness: consecutive samples further apart than this many seconds are a "gap". */
export const GAP_SEC = 1;
/** Completeness: last sample earlier than this many seconds before the track's end is an "early stop". */
export const EARLY_STOP_SEC = 2;

/** Version of the JSON/CSV export layout; bump on any incompatible change. */
export const EXPORT_SCHEMA_VERSION = 1;

/** Gamepad/keyboard "moment" button bit (e.g. chills) in a sample's `buttons` bitfield. */
export const BUTTON_MOMENT = 1;
