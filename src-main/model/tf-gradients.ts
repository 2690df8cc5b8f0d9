/**
 * Side-effect module: registers tfjs-core's gradient functions, which tfjs-core's Node entry does
 * not do (the @tensorflow/tfjs umbrella normally does; see vendor/build-gradients.mjs). Imported by
 * backend.ts and layers/ops.ts, so anything using the network can call tf.grads.
 */
import './vendor/tfjs-core-gradients.cjs';
