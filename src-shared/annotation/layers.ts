/**
 * Punch-in re-recording with undo/redo. Nothing is ever overwritten: a punch-in writes its
 * samples as a new layer over [tStart, tEnd]; the resolved trace shows, at each time, the newest
 * active layer covering it (layer 0, the original take, where none does). Undo hides the newest
 * active layer, redo shows it again; a new punch-in after an undo marks the undone layers
 * `abandoned` (the redo branch is cut, as in any editor) but their samples stay stored.
 *
 * History is linear: in layer order the non-abandoned layers are a run of `active` layers
 * followed by a run of `undone` ones.
 */
import type { PunchLayer } from './types';

export interface LayeredSample {
  t: number;
  layer: number;
}

/** End of a layer: its declared tEnd, or (still recording / crashed) its last sample time. */
function layerEnd(l: PunchLayer, lastTByLayer: Map<number, number>): number {
  if (l.tEnd !== null) return l.tEnd;
  return Math.max(l.tStart, lastTByLayer.get(l.layer) ?? l.tStart);
}

/**
 * The samples the user sees after punch-ins: sorted by time, then by seq order of input.
 * @param samples all stored samples of a session (every layer)
 * @param layers the session's punch-in history
 */
export function resolveLayers<S extends LayeredSample>(samples: readonly S[], layers: readonly PunchLayer[]): S[] {
  const active = layers.filter((l) => l.state === 'active').sort((a, b) => a.layer - b.layer);
  const lastT = new Map<number, number>();
  for (const s of samples) if (s.layer > 0 && s.t > (lastT.get(s.layer) ?? -Infinity)) lastT.set(s.layer, s.t);
  const ranges = active.map((l) => ({ layer: l.layer, from: l.tStart, to: layerEnd(l, lastT) }));
  const activeSet = new Set(active.map((l) => l.layer));
  const out: S[] = [];
  for (const s of samples) {
    if (s.layer !== 0) {
      if (!activeSet.has(s.layer)) continue;
      const own = ranges.find((r) => r.layer === s.layer)!;
      if (s.t < own.from || s.t > own.to) continue;
    }
    let hidden = false;
    for (const r of ranges) {
      if (r.layer > s.layer && s.t >= r.from && s.t <= r.to) {
        hidden = true;
        break;
      }
    }
    if (!hidden) out.push(s);
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Starts a punch-in at tStart. @returns the new history and the new layer's number. */
export function punchIn(layers: readonly PunchLayer[], tStart: number): { layers: PunchLayer[]; layer: number } {
  const layer = layers.reduce((m, l) => Math.max(m, l.layer), 0) + 1;
  const next: PunchLayer[] = layers.map((l) => (l.state === 'undone' ? { ...l, state: 'abandoned' as const } : { ...l }));
  next.push({ layer, tStart, tEnd: null, state: 'active' });
  return { layers: next, layer };
}

/**
 * Ends a punch-in.
 * @throws RangeError when the layer is unknown, already ended, or tEnd < tStart
 */
export function punchOut(layers: readonly PunchLayer[], layer: number, tEnd: number): PunchLayer[] {
  const l = layers.find((x) => x.layer === layer);
  if (!l) throw new RangeError(`Expected an existing punch-in layer, got layer ${layer}`);
  if (l.tEnd !== null) throw new RangeError(`Punch-in layer ${layer} already ended at ${l.tEnd} s`);
  if (tEnd < l.tStart) throw new RangeError(`Expected punch-out time >= ${l.tStart} s, got ${tEnd} s`);
  return layers.map((x) => (x.layer === layer ? { ...x, tEnd } : { ...x }));
}

export function canUndo(layers: readonly PunchLayer[]): boolean {
  return layers.some((l) => l.state === 'active');
}

export function canRedo(layers: readonly PunchLayer[]): boolean {
  return layers.some((l) => l.state === 'undone');
}

/** Hides the newest active layer. @throws RangeError when there is nothing to undo */
export function undo(layers: readonly PunchLayer[]): PunchLayer[] {
  const act = layers.filter((l) => l.state === 'active');
  if (act.length === 0) throw new RangeError('Nothing to undo: no active punch-in layer');
  const top = act.reduce((m, l) => (l.layer > m.layer ? l : m));
  return layers.map((l) => (l.layer === top.layer ? { ...l, state: 'undone' as const } : { ...l }));
}

/** Shows the oldest undone layer again. @throws RangeError when there is nothing to redo */
export function redo(layers: readonly PunchLayer[]): PunchLayer[] {
  const und = layers.filter((l) => l.state === 'undone');
  if (und.length === 0) throw new RangeError('Nothing to redo: no undone punch-in layer');
  const first = und.reduce((m, l) => (l.layer < m.layer ? l : m));
  return layers.map((l) => (l.layer === first.layer ? { ...l, state: 'active' as const } : { ...l }));
}
