/**
 * Completeness checks shown in the session list (issue 6): a late start (first sample more than
 * 2 s into the track), gaps (consecutive samples more than 1 s apart on the audio clock) and an
 * early stop (last sample more than 2 s before the track's end).
 */
import { EARLY_STOP_SEC, GAP_SEC, LATE_START_SEC } from './constants';
import type { Completeness } from './types';

export interface CompletenessOptions {
  durationSec?: number | null;
  lateStartSec?: number;
  gapSec?: number;
  earlyStopSec?: number;
}

/**
 * @param times sample times (seconds, audio clock) of the resolved trace, any order
 * @returns the flags; `earlyStop` is null when the duration is unknown
 */
export function checkCompleteness(times: readonly number[], opts: CompletenessOptions = {}): Completeness {
  const lateStartSec = opts.lateStartSec ?? LATE_START_SEC;
  const gapSec = opts.gapSec ?? GAP_SEC;
  const earlyStopSec = opts.earlyStopSec ?? EARLY_STOP_SEC;
  const duration = opts.durationSec != null && Number.isFinite(opts.durationSec) ? opts.durationSec : null;
  const ts = times.filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
  if (ts.length === 0) {
    return { firstT: null, lastT: null, lateStart: true, gaps: [], earlyStop: duration === null ? null : true, ok: false };
  }
  const firstT = ts[0];
  const lastT = ts[ts.length - 1];
  const gaps: { from: number; to: number }[] = [];
  for (let i = 1; i < ts.length; i++) if (ts[i] - ts[i - 1] > gapSec) gaps.push({ from: ts[i - 1], to: ts[i] });
  const lateStart = firstT > lateStartSec;
  const earlyStop = duration === null ? null : duration - lastT > earlyStopSec;
  return { firstT, lastT, lateStart, gaps, earlyStop, ok: !lateStart && gaps.length === 0 && earlyStop !== true };
}
