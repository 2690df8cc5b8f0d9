/**
 * Minimal typing of the plotly.js strict bundle (no official types ship with it). The strict
 * bundle is used because the studio's CSP has no 'unsafe-eval' and the regular bundle's WebGL
 * traces (regl) compile with `Function` (plotly/plotly.js#6140, fixed in the strict bundle).
 */
declare module 'plotly.js-strict-dist-min' {
  export type Datum = Record<string, unknown>;
  export interface PlotlyHTMLElement extends HTMLElement {
    on(event: string, cb: (ev: any) => void): void;
    removeAllListeners?(event: string): void;
    data?: Datum[];
    layout?: Record<string, unknown>;
  }
  export function react(el: HTMLElement, data: Datum[], layout?: Record<string, unknown>, config?: Record<string, unknown>): Promise<PlotlyHTMLElement>;
  export function purge(el: HTMLElement): void;
  export function relayout(el: HTMLElement, update: Record<string, unknown>): Promise<PlotlyHTMLElement>;
  const Plotly: { react: typeof react; purge: typeof purge; relayout: typeof relayout };
  export default Plotly;
}
