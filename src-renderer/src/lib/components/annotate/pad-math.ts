/**
 * Pure pad input logic (no DOM): clamping, keyboard steps, gamepad disc-to-square mapping,
 * label presets and the text announced to assistive technology.
 */

export interface PadPoint {
  /** Valence in [-1, 1] (x, right = positive). */
  v: number;
  /** Arousal in [-1, 1] (y, up = positive). */
  a: number;
}

export const clamp1 = (x: number): number => (x > 1 ? 1 : x < -1 ? -1 : Number.isFinite(x) ? x : 0);

/** Keyboard step sizes: coarse by default, fine with Shift (issue 6: "a modifier for fine steps"). */
export const KEY_STEP = 0.05;
export const KEY_STEP_FINE = 0.01;

/** Direction of a key (arrows and WASD); null for other keys. */
export function keyDirection(code: string): { dv: number; da: number } | null {
  switch (code) {
    case 'ArrowLeft':
    case 'KeyA':
      return { dv: -1, da: 0 };
    case 'ArrowRight':
    case 'KeyD':
      return { dv: 1, da: 0 };
    case 'ArrowUp':
    case 'KeyW':
      return { dv: 0, da: 1 };
    case 'ArrowDown':
    case 'KeyS':
      return { dv: 0, da: -1 };
    default:
      return null;
  }
}

/** The point after one key press. Rounded to 1e-6 so repeated steps do not accumulate float noise. */
export function stepPoint(p: PadPoint, code: string, fine: boolean): PadPoint | null {
  const d = keyDirection(code);
  if (!d) return null;
  const step = fine ? KEY_STEP_FINE : KEY_STEP;
  const r = (x: number) => Math.round(clamp1(x) * 1e6) / 1e6;
  return { v: r(p.v + d.dv * step), a: r(p.a + d.da * step) };
}

/** Dead zone of a gamepad stick (resting sticks rarely read exactly 0). */
export const STICK_DEADZONE = 0.08;

/**
 * Maps a round stick position (the unit disc) onto the square pad so the corners are
 * reachable: the elliptical grid mapping (Fong 2015, "Analytical methods for squaring the
 * disc", arXiv:1509.06344). Gamepad y points down; the pad's arousal points up.
 */
export function stickToPad(x: number, y: number, deadzone = STICK_DEADZONE): PadPoint {
  let u = clamp1(x);
  let w = clamp1(-y);
  const r = Math.hypot(u, w);
  if (r < deadzone) return { v: 0, a: 0 };
  if (r > 1) {
    u /= r;
    w /= r;
  }
  const s2 = 2 * Math.SQRT2;
  const u2 = u * u;
  const w2 = w * w;
  const v = 0.5 * Math.sqrt(Math.max(0, 2 + u2 - w2 + s2 * u)) - 0.5 * Math.sqrt(Math.max(0, 2 + u2 - w2 - s2 * u));
  const a = 0.5 * Math.sqrt(Math.max(0, 2 - u2 + w2 + s2 * w)) - 0.5 * Math.sqrt(Math.max(0, 2 - u2 + w2 - s2 * w));
  return { v: clamp1(v), a: clamp1(a) };
}

/** Pointer position inside a rectangle -> pad point (clamped). */
export function pointerToPad(clientX: number, clientY: number, rect: { left: number; top: number; width: number; height: number }): PadPoint {
  return {
    v: clamp1(((clientX - rect.left) / rect.width) * 2 - 1),
    a: clamp1(1 - ((clientY - rect.top) / rect.height) * 2),
  };
}

export interface LabelPreset {
  id: string;
  name: string;
  /** Eight octant labels counter-clockwise from positive valence (0 deg, 45 deg, ...). */
  octants: string[];
  valence: [string, string];
  arousal: [string, string];
}

/**
 * "affective": a DARMA-like circumplex labelling (Russell 1980 octants, the default of
 * DARMA's affect rating mode); "axes": only the axis names; "none": no labels.
 */
export const LABEL_PRESETS: LabelPreset[] = [
  {
    id: 'affective',
    name: 'Affective (circumplex)',
    octants: ['Pleasant', 'Excited', 'Aroused', 'Tense', 'Unpleasant', 'Sad', 'Sleepy', 'Calm'],
    valence: ['Unpleasant', 'Pleasant'],
    arousal: ['Deactivated', 'Activated'],
  },
  { id: 'axes', name: 'Axes only', octants: ['', '', '', '', '', '', '', ''], valence: ['Negative valence', 'Positive valence'], arousal: ['Low arousal', 'High arousal'] },
  { id: 'none', name: 'No labels', octants: ['', '', '', '', '', '', '', ''], valence: ['', ''], arousal: ['', ''] },
];

/** The octant (0..7, counter-clockwise from +valence) a point lies in; null near the centre. */
export function octantOf(p: PadPoint): number | null {
  if (Math.hypot(p.v, p.a) < 0.15) return null;
  const ang = Math.atan2(p.a, p.v); // -pi..pi
  return ((Math.round(ang / (Math.PI / 4)) % 8) + 8) % 8;
}

const fmt = (x: number) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(2);

/** What a screen reader announces for a position (numbers and words, never colour). */
export function valueText(p: PadPoint, preset: LabelPreset): string {
  const o = octantOf(p);
  const word = o === null ? 'neutral' : preset.octants[o] || '';
  return `Valence ${fmt(p.v)}, arousal ${fmt(p.a)}${word ? ` (${word})` : ''}`;
}
