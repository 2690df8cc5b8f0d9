// Side-effect module: registers tfjs-core's gradient functions (see build-gradients.mjs).
export {};
