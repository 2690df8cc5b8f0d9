import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../backend';
import { initParams, P } from '../params';
import { TINY_CONFIG as C } from '../test-configs';
import { biLstm, biLstmOps } from './prediction';

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Slow, obvious LSTM (PyTorch gate order i, f, g, o) over one sequence. */
function lstmJs(x: number[][], W: number[][], U: number[][], bias: number[], reverse: boolean): number[][] {
  const H = U.length;
  let h = new Array(H).fill(0);
  let c = new Array(H).fill(0);
  const out: number[][] = new Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const t = reverse ? x.length - 1 - k : k;
    const z = bias.slice();
    for (let j = 0; j < 4 * H; j++) {
      for (let d = 0; d < x[t].length; d++) z[j] += x[t][d] * W[d][j];
      for (let d = 0; d < H; d++) z[j] += h[d] * U[d][j];
    }
    const nc = new Array(H);
    const nh = new Array(H);
    for (let j = 0; j < H; j++) {
      nc[j] = sig(z[H + j]) * c[j] + sig(z[j]) * Math.tanh(z[2 * H + j]);
      nh[j] = sig(z[3 * H + j]) * Math.tanh(nc[j]);
    }
    c = nc;
    h = nh;
    out[t] = h;
  }
  return out;
}

beforeAll(async () => {
  await ensureBackend('wasm');
});

describe('biLstm', () => {
  it.each(['js', 'ops'] as const)('%s implementation matches a slow plain-JS bidirectional LSTM', (impl) => {
    const p = initParams(C, 5);
    const [b, s, d] = [2, 7, C.hidden];
    const x = tf.randomNormal([b, s, d], 0, 1, 'float32', 3) as tf.Tensor3D;
    const y = biLstm(p, x, impl).arraySync();
    const xa = x.arraySync();
    const get = (n: string) => p[n].arraySync() as number[][];
    const biasOf = (dir: string) => {
      const a = p[`${P.lstm}.${dir}.bias_ih`].arraySync() as number[];
      const c = p[`${P.lstm}.${dir}.bias_hh`].arraySync() as number[];
      return a.map((v, i) => v + c[i]);
    };
    const H = C.lstmHidden;
    for (let bi = 0; bi < b; bi++) {
      const f = lstmJs(xa[bi], get(`${P.lstm}.forward.kernel`), get(`${P.lstm}.forward.recurrent_kernel`), biasOf('forward'), false);
      const r = lstmJs(xa[bi], get(`${P.lstm}.backward.kernel`), get(`${P.lstm}.backward.recurrent_kernel`), biasOf('backward'), true);
      for (let t = 0; t < s; t++)
        for (let j = 0; j < H; j++) {
          expect(y[bi][t][j]).toBeCloseTo(f[t][j], 5);
          expect(y[bi][t][H + j]).toBeCloseTo(r[t][j], 5);
        }
    }
    x.dispose();
    tf.dispose(Object.values(p));
  });
});

describe('biLstm gradients', () => {
  it('the JS recurrence op and the tf-op LSTM give the same gradients', () => {
    const p = initParams(C, 6);
    const x = tf.randomNormal([2, 6, C.hidden], 0, 1, 'float32', 8) as tf.Tensor3D;
    const w = tf.randomNormal([2, 6, 2 * C.lstmHidden], 0, 1, 'float32', 9);
    const names = Object.keys(p).filter((n) => n.startsWith(P.lstm));
    const grads = (impl: 'js' | 'ops'): number[][] => {
      const gs = tf.tidy(() => {
        const f = (xx: tf.Tensor, ...ts: tf.Tensor[]) => {
          const pp = { ...p };
          names.forEach((n, i) => (pp[n] = ts[i]));
          return tf.sum(tf.mul(biLstm(pp, xx as tf.Tensor3D, impl), w)) as tf.Scalar;
        };
        return tf.grads(f)([x, ...names.map((n) => p[n])]);
      });
      const out = gs.map((g) => Array.from(g.dataSync()));
      tf.dispose(gs);
      return out;
    };
    const a = grads('js');
    const b = grads('ops');
    expect(a.length).toBe(names.length + 1);
    a.forEach((ga, i) => ga.forEach((v, j) => expect(v).toBeCloseTo(b[i][j], 4)));
    tf.dispose([x, w]);
    tf.dispose(Object.values(p));
  });
});
